/**
 * Self time of a V8 CPU profile (`--cpu-prof`) by area, per run: how the README's profile tables are
 * made. Only the samples of the profile's last `seconds` count (the measured part of a bench, not the
 * start-up or the warm-up), idle left out.
 * Run: node --import tsx bench/lib/profile-areas.ts <file.cpuprofile> <seconds> <runs>
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

/** The area a function's self time counts in: ours by file under src/, a package, or Node. */
export function areaOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName.startsWith('(')) return functionName;
  if (/^(writev|writeUtf8String|writeLatin1String|writeBuffer)$/.test(functionName))
    return 'socket writes';
  if (url.includes('sqlite-driver') || url.includes('better-sqlite3'))
    return 'better-sqlite3 (statements)';
  const ours = /\/(?:dist|src)\/(engine|storage|http|api|models|domain|telemetry)\//.exec(url);
  if (ours && !url.includes('node_modules')) return `ours: ${ours[1]}`;
  const modules = url.split('node_modules/');
  if (modules.length > 1) {
    const parts = modules.at(-1)!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  return 'other';
}

function main(): void {
  const [file, secondsArgument, runsArgument] = process.argv.slice(2);
  if (!file || !secondsArgument || !runsArgument) {
    console.error('usage: profile-areas.ts <file.cpuprofile> <seconds> <runs>');
    process.exitCode = 2;
    return;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const from = profile.endTime - Number(secondsArgument) * 1e6;
  let time = profile.endTime - profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  const byArea = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((sample, index) => {
    time += profile.timeDeltas[index]!;
    const node = nodes.get(sample)!;
    if (time < from || node.callFrame.functionName === '(idle)') return;
    const milliseconds = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const area = areaOf(node.callFrame);
    byArea.set(area, (byArea.get(area) ?? 0) + milliseconds);
    total += milliseconds;
  });
  const runs = Number(runsArgument);
  console.log(`${(total / runs).toFixed(3)} ms per run in all (${total.toFixed(0)} ms)`);
  for (const [area, milliseconds] of [...byArea].sort((a, b) => b[1] - a[1]))
    if (milliseconds / runs >= 0.005)
      console.log(`${(milliseconds / runs).toFixed(3).padStart(7)}  ${area}`);
}

main();
