const CHECK_EVERY_MS = 250;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // there, but someone else's
  }
}

/**
 * Calls `gone` once the process that started this one is gone, however it ended (a test runner killed with
 * SIGKILL runs no cleanup of its own): on Linux and macOS an orphan is handed to another parent, elsewhere the
 * old parent's pid stops answering. A process started by init (pid 1) has no parent to outlive.
 */
export function whenParentGone(gone: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent && alive(parent)) return;
    clearInterval(timer);
    gone();
  }, CHECK_EVERY_MS);
  timer.unref();
}
