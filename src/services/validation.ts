import type { Model } from 'sequelize';
import { ValidationError } from 'sequelize';
import { validationProblems, type FieldProblem } from '../errors';

interface Check {
  /** Where the row sits in the input, e.g. ['posts', 3]. */
  prefix?: (string | number)[];
  /** Only these attributes (an update of a row read without its secret columns). */
  fields?: string[];
}

/** The model's own validation problems for a row about to be saved, as field problems under `prefix`. */
export async function problemsOf(row: Model, { prefix = [], fields }: Check = {}): Promise<FieldProblem[]> {
  try {
    // Timestamps are NOT NULL in the model as in the database; save() sets them after this check.
    await row.validate(fields ? { fields } : { skip: ['createdAt', 'updatedAt'] });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return validationProblems(error, prefix);
    throw error;
  }
}
