/**
 * Compiles the jail's seccomp filter once per sandbox, offline, with Debian's python3-seccomp
 * (libseccomp) running on the host as trusted code. Why not hand-written BPF in TypeScript: the
 * syscall numbers differ per architecture and a correct filter must also reject foreign ABIs
 * (x32 on x86_64); libseccomp gets that right and is one small Debian package.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const GENERATOR = readFileSync(new URL('./seccomp-filter.py', import.meta.url), 'utf8');

/** The BPF program for bwrap's `--seccomp FD`; rejects when python3-seccomp is missing. */
export function compileSeccompFilter(python: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-I', '-c', GENERATOR],
      { encoding: 'buffer', env: {}, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `could not compile the seccomp filter (is python3-seccomp installed?): ${stderr.toString('utf8').trim() || error.message}`,
            ),
          );
        } else if (stdout.length === 0 || stdout.length % 8 !== 0) {
          reject(
            new Error(
              `the seccomp filter compiler wrote ${stdout.length} bytes, not a BPF program`,
            ),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
