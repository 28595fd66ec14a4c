import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time from /proc, so a change can be judged by the work it costs per request rather than by
 * requests per second alone, which other load on the machine blurs.
 */

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux nearly everywhere). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcTimes {
  ppid: number;
  /** utime + stime: the process's own CPU, in ms. */
  ownMs: number;
  /** cutime + cstime: the CPU of its children it has reaped (waited for), in ms. */
  reapedMs: number;
}

/** A process's times from /proc/PID/stat, or null when there is no such process (here). */
function timesOf(pid: number): ProcTimes | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after it are counted from its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (field: number) => Number(fields[field - 3]);
  return { ppid: ticks(4), ownMs: ((ticks(14) + ticks(15)) * 1000) / TICKS, reapedMs: ((ticks(16) + ticks(17)) * 1000) / TICKS };
}

/** CPU ms a process has used so far (null when it is not on this machine). */
export function processCpuMs(pid: number): number | null {
  return timesOf(pid)?.ownMs ?? null;
}

/** The parent of a process, e.g. the postmaster of a backend (null when the process is not on this machine). */
export function parentOf(pid: number): number | null {
  return timesOf(pid)?.ppid ?? null;
}

/**
 * CPU ms all of a PostgreSQL server has used so far: the postmaster, its live children (backends,
 * background workers) and, through the postmaster's reaped time, the backends that came and went.
 * The difference of two readings is what the server spent between them. Null when it is not on this machine.
 */
export function postgresCpuMs(postmasterPid: number): number | null {
  const postmaster = timesOf(postmasterPid);
  if (!postmaster) return null;
  let total = postmaster.ownMs + postmaster.reapedMs;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = timesOf(Number(entry));
    if (child?.ppid === postmasterPid) total += child.ownMs;
  }
  return total;
}
