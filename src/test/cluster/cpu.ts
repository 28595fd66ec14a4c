import fs from 'node:fs';

/** Linux's clock ticks per second (USER_HZ), the unit of /proc's CPU times. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime: CPU the process itself used. */
  own: number;
  /** cutime + cstime: CPU of its children that exited and were reaped (PostgreSQL's backends that came and went). */
  reaped: number;
}

function statOf(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3]);
    return { ppid: at(4), own: at(14) + at(15), reaped: at(16) + at(17) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by `pid`, its reaped children and its live children (a postmaster and its backends). */
export function treeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const root = statOf(pid);
  if (!root) return 0;
  let ticks = root.own + root.reaped;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statOf(Number(entry));
    if (child?.ppid === pid) ticks += child.own;
  }
  return ticks / TICKS_PER_SECOND;
}
