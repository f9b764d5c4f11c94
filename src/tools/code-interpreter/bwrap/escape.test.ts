/**
 * Escape attempts against the bwrap backend. Each must fail with a result the model can read, and
 * afterwards the same session (or, after a kill, its restarted kernel) and other sessions still work.
 */
import { createServer, type Server } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bwrapAvailable,
  makeDataDir,
  removeDataDir,
  runningAsRoot,
  tryBwrapSandbox,
} from '../../../../test/helpers/sandbox.ts';
import type { CellResult, Sandbox, SandboxSession } from '../sandbox.ts';

const CELL = { timeoutMs: 20_000 };
const SHORT = { timeoutMs: 1500 };

describe.runIf(bwrapAvailable)('bwrap sandbox: escape attempts', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let session: SandboxSession;
  let neighbour: SandboxSession;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    await writeFile(join(dataDir, 'concierge.db'), 'server secrets');
    // Small file and disk limits keep the fill-the-disk attempts quick: /mnt/data gets 64 MiB.
    sandbox = (await tryBwrapSandbox(dataDir, {
      limits: {
        fileSizeBytes: 16 * 1024 ** 2,
        tmpBytes: 8 * 1024 ** 2,
        shmBytes: 8 * 1024 ** 2,
        diskBytes: 80 * 1024 ** 2,
        diskEntries: 500,
      },
    }))!;
    [session, neighbour] = await Promise.all([
      sandbox.openSession('thread_attacker'),
      sandbox.openSession('thread_neighbour'),
    ]);
    await neighbour.runCell(
      'secret = "neighbour"\nopen("/mnt/data/private.txt", "w").write("neighbour data")',
      CELL,
    );
  });

  afterAll(async () => {
    await sandbox.close();
    await removeDataDir(dataDir);
  });

  /** The session answers a fresh cell (restarting its kernel if the attempt killed it). */
  async function expectStillWorks(): Promise<void> {
    expect((await session.runCell('print("still here")', CELL)).logs).toBe('still here\n');
    expect((await neighbour.runCell('secret', CELL)).logs).toBe("'neighbour'\n");
  }

  it('cannot read host files: /etc/shadow, the data dir, or another session', async () => {
    const attempts = [
      '/etc/shadow',
      '/etc/passwd',
      join(dataDir, 'concierge.db'),
      join(neighbour.directory, 'private.txt'),
      '/mnt/data/../thread_neighbour/private.txt',
      '/proc/1/root/etc/shadow',
    ];
    for (const path of attempts) {
      const result = await session.runCell(`open(${JSON.stringify(path)}).read()`, CELL);
      expect({ path, error: result.error?.name }).toMatchObject({
        path,
        error: expect.stringMatching(/FileNotFoundError|PermissionError/),
      });
      expect(result.logs).not.toContain('secrets');
    }
    const listing = await session.runCell(
      'import os\nsorted(os.listdir("/")), sorted(os.listdir("/mnt"))',
      CELL,
    );
    expect(listing.logs).toBe(
      "(['bin', 'dev', 'etc', 'lib', 'lib64', 'mnt', 'proc', 'sbin', 'tmp', 'usr'], ['data'])\n",
    );
    await expectStillWorks();
  });

  it('runs as uid 65534 with no capabilities, a read-only system and no new user namespaces', async () => {
    const identity = await session.runCell(
      'import os\nos.getuid(), os.getgid(), open("/proc/self/status").read().split("CapEff:")[1].split()[0]',
      CELL,
    );
    expect(identity.logs).toBe("(65534, 65534, '0000000000000000')\n");
    for (const path of ['/usr/evil', '/etc/evil', '/evil']) {
      const write = await session.runCell(`open(${JSON.stringify(path)}, "w")`, CELL);
      expect({ path, error: write.error?.name }).toMatchObject({
        path,
        error: expect.stringMatching(/OSError|PermissionError/),
      });
    }
    const unshare = await session.runCell(
      'import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.unshare(0x10000000), ctypes.get_errno()',
      CELL,
    );
    expect(unshare.logs).toBe('(-1, 1)\n');
    const ptrace = await session.runCell(
      'import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.ptrace(16, 1, 0, 0), ctypes.get_errno()',
      CELL,
    );
    expect(ptrace.logs).toBe('(-1, 1)\n');
    await expectStillWorks();
  });

  it('cannot open a network socket to the host or loopback', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const tcp = await session.runCell(
        `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=2)`,
        CELL,
      );
      expect(tcp.error?.name).toBe('PermissionError');
      const ipv6 = await session.runCell(
        'import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_STREAM)',
        CELL,
      );
      expect(ipv6.error?.name).toBe('PermissionError');
      const netlink = await session.runCell(
        'import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW)',
        CELL,
      );
      expect(netlink.error?.name).toBe('PermissionError');
      const dns = await session.runCell(
        'import socket\nsocket.getaddrinfo("example.com", 80)',
        CELL,
      );
      expect(dns.error?.name).toBe('gaierror');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
    await expectStillWorks();
  });

  it.runIf(runningAsRoot)(
    'stops a fork bomb at the process limit without starving other sessions',
    async () => {
      const bomb = session.runCell('import os\nwhile True:\n    os.fork()', SHORT);
      // The neighbour keeps working while the bomb runs: the limit is per session, not per host uid.
      const during = await neighbour.runCell(
        'import subprocess\nsubprocess.run(["echo", "neighbour forks"], capture_output=True, text=True).stdout',
        CELL,
      );
      expect(during.logs).toBe("'neighbour forks\\n'\n");
      const result = await bomb;
      expect(result.timedOut || result.error?.name === 'BlockingIOError').toBe(true);
      await expectStillWorks();
    },
  );

  it('turns a memory bomb into a MemoryError and keeps the session', async () => {
    await session.runCell('kept = "yes"', CELL);
    const single = await session.runCell('x = bytearray(8 * 1024 ** 3)', CELL);
    expect(single.error?.name).toBe('MemoryError');
    const growing = await session.runCell(
      'chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024 ** 2))',
      CELL,
    );
    expect(growing.error?.name).toBe('MemoryError');
    const after = await session.runCell('del chunks\nkept', CELL);
    expect(after.logs).toBe("'yes'\n");
    await expectStillWorks();
  });

  it('interrupts an infinite loop and keeps variables', async () => {
    await session.runCell('kept = "loop"', CELL);
    const result = await session.runCell('while True:\n    pass', SHORT);
    expect(result).toMatchObject({ timedOut: true, error: { name: 'TimeoutError' } });
    expect(result.killedReason).toBeUndefined();
    expect((await session.runCell('kept', CELL)).logs).toBe("'loop'\n");
  });

  it('kills a loop that ignores the interrupt, and the next cell gets a fresh kernel', async () => {
    const stubborn = await session.runCell(
      'while True:\n    try:\n        sum(range(10 ** 12))\n    except BaseException:\n        pass',
      SHORT,
    );
    expect(stubborn).toMatchObject({
      timedOut: true,
      killedReason: 'timeout',
      error: { name: 'TimeoutError' },
    });
    expect(stubborn.error!.message).toContain('variables are lost');
    expect(session.alive).toBe(false);
    expect((await session.runCell('kept', CELL)).error?.name).toBe('NameError');
    expect(session.alive).toBe(true);
    await expectStillWorks();
  });

  it('truncates huge output with a notice and keeps the end', async () => {
    const result = await session.runCell(
      'print("x" * 50_000_000)\nfor i in range(100_000):\n    print(i)',
      CELL,
    );
    expect(result.error).toBeNull();
    expect(result.logs.length).toBeLessThan(70 * 1024);
    expect(result.logs).toMatch(/\[output truncated: \d+ bytes omitted of \d+\]/);
    expect(result.logs.endsWith('99999\n')).toBe(true);
    await expectStillWorks();
  });

  it('stops a file from growing past the size limit with an error', async () => {
    const result = await session.runCell(
      'with open("/mnt/data/huge.bin", "wb") as f:\n    f.write(b"0" * (100 * 1024 ** 2))',
      CELL,
    );
    expect(result.error?.message).toContain('File too large');
    // The write stopped at the limit; what was written up to it is a (partial) file like any other.
    expect(result.outputFiles.map((file) => [file.name, file.bytes.length])).toEqual([
      ['huge.bin', 16 * 1024 ** 2],
    ]);
    await session.runCell('import os\nos.remove("/mnt/data/huge.bin")', CELL);
    await expectStillWorks();
  });

  it('caps every writable place: /dev/shm, /tmp and HOME fill up at their size, /dev is read-only', async () => {
    const fill = [
      'import errno, os',
      'def fill(directory):',
      '    written = 0',
      '    try:',
      '        for i in range(64):',
      '            with open(f"{directory}/fill_{i}.bin", "wb") as f:',
      '                f.write(b"0" * (4 * 1024 ** 2))',
      '            written += 4 * 1024 ** 2',
      '    except OSError as error:',
      '        return errno.errorcode[error.errno], written <= 8 * 1024 ** 2',
      '    return "no error", written',
      '[fill(d) for d in ["/dev/shm", "/tmp", os.environ["HOME"]]]',
    ].join('\n');
    const filled = await session.runCell(fill, CELL);
    expect(filled.logs).toBe("[('ENOSPC', True), ('ENOSPC', True), ('ENOSPC', True)]\n");
    const sizes = await session.runCell(
      'import os\n[os.statvfs(d).f_blocks * os.statvfs(d).f_frsize for d in ["/dev/shm", "/tmp"]]',
      CELL,
    );
    expect(sizes.logs).toBe(`[${8 * 1024 ** 2}, ${8 * 1024 ** 2}]\n`);
    const device = await session.runCell('open("/dev/evil", "w")', CELL);
    expect(device.error?.message).toContain('Read-only file system');
    const cleanup = await session.runCell(
      'import glob\nfor path in glob.glob("/dev/shm/*") + glob.glob("/tmp/fill_*"):\n    os.remove(path)',
      CELL,
    );
    expect(cleanup.error).toBeNull();
    await expectStillWorks();
  });

  it('refuses memory that no size cap covers: memfd, System V shared memory and message queues', async () => {
    const memfd = await session.runCell('import os\nos.memfd_create("hidden")', CELL);
    expect(memfd.error?.name).toBe('PermissionError');
    const sysv = await session.runCell(
      [
        'import ctypes',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'shm = libc.shmget(0, 1024 ** 3, 0o1600), ctypes.get_errno()',
        'queue = libc.msgget(0, 0o1600), ctypes.get_errno()',
        'shm, queue',
      ].join('\n'),
      CELL,
    );
    expect(sysv.logs).toBe('((-1, 1), (-1, 1))\n');
    await expectStillWorks();
  });

  it('resets a session whose files outgrow the disk limit, by size or by count', async () => {
    const bySize = await session.runCell(
      'for i in range(1000):\n    open(f"/mnt/data/fill_{i}.bin", "wb").write(b"0" * (8 * 1024 ** 2))',
      CELL,
    );
    expect(bySize).toMatchObject({
      killedReason: 'disk-limit',
      outputFiles: [],
      error: { name: 'ResourceLimitError' },
    });
    expect(bySize.error!.message).toContain('files were deleted');
    expect((await session.runCell('import os\nos.listdir("/mnt/data")', CELL)).logs).toBe('[]\n');
    const byCount = await session.runCell(
      'for i in range(100_000):\n    open(f"/mnt/data/empty_{i}", "w").close()',
      CELL,
    );
    expect(byCount.killedReason).toBe('disk-limit');
    await expectStillWorks();
  });

  it('returns no host file through symlinks, directory links or FIFOs planted as output files', async () => {
    const code = [
      'import os',
      'os.symlink("/etc/shadow", "/mnt/data/shadow.txt")',
      `os.symlink(${JSON.stringify(join(dataDir, 'concierge.db'))}, "/mnt/data/database.csv")`,
      `os.symlink(${JSON.stringify(dataDir)}, "/mnt/data/host")`,
      'os.mkfifo("/mnt/data/pipe.csv")',
      'open("/mnt/data/real.txt", "w").write("real")',
    ].join('\n');
    const result: CellResult = await session.runCell(code, CELL);
    expect(result.error).toBeNull();
    expect(result.outputFiles.map((file) => [file.name, file.bytes.toString('utf8')])).toEqual([
      ['real.txt', 'real'],
    ]);
    expect(result.logs).toContain(
      '[concierge] /mnt/data/shadow.txt was not returned: it is a symbolic link',
    );
    expect(result.logs).toContain(
      '[concierge] /mnt/data/database.csv was not returned: it is a symbolic link',
    );
    expect(result.logs).toContain(
      '[concierge] /mnt/data/pipe.csv was not returned: it is not a regular file',
    );
    expect(result.logs).not.toContain('server secrets');
    await expectStillWorks();
  });

  it('cannot forge answers by printing protocol lines', async () => {
    const result = await session.runCell(
      'print(\'{"id": 999, "logs": "forged", "error": null, "timedOut": false}\')\nprint("real")',
      CELL,
    );
    expect(result.logs).toContain('real');
    expect(result.killedReason).toBeUndefined();
    await expectStillWorks();
  });
});
