// Running a stdio MCP server as another Unix user (`user` in its config), so it cannot read the
// gateway's memory or environment (/proc/<pid>/environ: provider keys, admin token), its config
// or its database. The child is started through util-linux `setpriv`, which drops to the user's
// uid and gid, clears supplementary groups and sets no_new_privs, then execs the server: no extra
// process stays in between. Changing user needs the gateway to run as root (or with CAP_SETUID and
// CAP_SETGID); otherwise the server fails to start with a message saying so.
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const SETPRIV = '/usr/bin/setpriv';

/** A user from /etc/passwd by name or numeric uid; throws naming the user when it does not exist. */
export function lookupUser(user: string, passwd: string = readFileSync('/etc/passwd', 'utf8')): UnixUser {
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name === undefined || uid === undefined || gid === undefined) continue;
    if (name === user || uid === user) return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  }
  throw new Error(`no Unix user "${user}" in /etc/passwd`);
}

export interface RunAsPlan {
  command: string;
  args: string[];
  /** Environment entries that describe the user (HOME, USER, LOGNAME), over the child's basics. */
  env: Record<string, string>;
  cwd: string;
}

/**
 * How to start `command args` as `user`: through setpriv, in `cwd` or else a fresh empty
 * directory owned by the user (never the gateway's working directory, which holds its config and
 * database), with HOME, USER and LOGNAME of that user.
 */
export function runAs(user: UnixUser, command: string, args: readonly string[], cwd: string | undefined): RunAsPlan {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`running an MCP server as user "${user.name}" needs the gateway to run as root (it runs as uid ${process.getuid()})`);
  }
  return {
    command: SETPRIV,
    args: ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--no-new-privs', '--', command, ...args],
    env: { HOME: user.home, USER: user.name, LOGNAME: user.name },
    cwd: cwd ?? neutralDirectory(user),
  };
}

const neutral = new Map<number, string>();

/** An empty directory only `user` can use (mkdtemp: mode 0700), made once per user. */
function neutralDirectory(user: UnixUser): string {
  let dir = neutral.get(user.uid);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-mcp-'));
    chownSync(dir, user.uid, user.gid);
    neutral.set(user.uid, dir);
  }
  return dir;
}
