import type { Model } from 'sequelize';
import { ValidationError } from 'sequelize';
import { validationProblems, type FieldProblem } from '../errors';

/** The model's own validation problems for a built row, as field problems under `prefix`. */
export async function problemsOf(row: Model, prefix: (string | number)[] = []): Promise<FieldProblem[]> {
  try {
    // Timestamps are NOT NULL in the model as in the database; save() sets them after this check.
    await row.validate({ skip: ['createdAt', 'updatedAt'] });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return validationProblems(error, prefix);
    throw error;
  }
}
