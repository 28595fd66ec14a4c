import { spawn } from 'node:child_process';

/**
 * A process of its own that outlives the test: once the test's process is gone without stopping what it
 * started (interrupted, killed, crashed), it ends every engine whose pid file is in the folder and removes
 * the folder. It ends itself as soon as the folder is gone (the test stopped everything as it should).
 * Plain JavaScript for `node -e`: it must start without the test's compiler.
 */
const REAPER = `
const fs = require('node:fs');
const path = require('node:path');
const [watched, folder] = [Number(process.argv[1]), process.argv[2]];
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; } };
const pidIn = (file) => { try { const pid = Number(fs.readFileSync(file, 'utf8').split('\\n')[0].trim()); return pid > 0 ? pid : undefined; } catch { return undefined; } };
// A pid file may outlive its process, and the number be taken by another one: only a process that names
// the folder (engines), or runs the API's build (instances), is ended.
const ours = (pid) => { try { const args = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8'); return args.includes(folder) || args.includes('dist/src/index.js'); } catch { return false; } };
function reap() {
  const targets = [];
  for (const entry of fs.readdirSync(folder)) {
    const full = path.join(folder, entry);
    if (entry.endsWith('.pid')) targets.push([pidIn(full), 'SIGTERM']);
    // A PostgreSQL data folder: SIGQUIT is its immediate shutdown (the cluster is thrown away).
    else if (fs.existsSync(path.join(full, 'postmaster.pid'))) targets.push([pidIn(path.join(full, 'postmaster.pid')), 'SIGQUIT']);
  }
  const pids = targets.filter(([pid]) => pid !== undefined && alive(pid) && ours(pid));
  for (const [pid, signal] of pids) { try { process.kill(pid, signal); } catch {} }
  const deadline = Date.now() + 15000;
  const finish = () => {
    const left = pids.filter(([pid]) => alive(pid));
    if (left.length > 0 && Date.now() < deadline) return setTimeout(finish, 100);
    for (const [pid] of left) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    fs.rmSync(folder, { recursive: true, force: true });
    process.exit(0);
  };
  finish();
}
const timer = setInterval(() => {
  if (!fs.existsSync(folder)) process.exit(0);
  if (!alive(watched)) { clearInterval(timer); reap(); }
}, 500);
`;

/** Watches over `folder` for as long as this process lives (see REAPER). */
export function reapWhenGone(folder: string): void {
  spawn(process.execPath, ['-e', REAPER, String(process.pid), folder], { detached: true, stdio: 'ignore' }).unref();
}
