/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that read
 * `/metrics` the way a scraper does. It throws on anything a scraper would refuse or misread: a bad
 * metric or label name, a bad escape, a value that is not a number, a sample whose family has no
 * `# TYPE` before it, a sample name its type does not allow (`_bucket`/`_sum`/`_count` for histograms),
 * a family declared twice, or the same series twice.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`not a sample value: '${text}' in: ${line}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `start` (just after the metric name). */
function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let index = 1;
  for (;;) {
    if (text[index] === '}') return { labels, rest: text.slice(index + 1) };
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(index));
    if (
      !nameMatch ||
      text[index + nameMatch[0].length] !== '=' ||
      text[index + nameMatch[0].length + 1] !== '"'
    )
      throw new Error(`bad label in: ${line}`);
    const name = nameMatch[0];
    index += name.length + 2;
    let value = '';
    for (;;) {
      const character = text[index];
      if (character === undefined) throw new Error(`unterminated label value in: ${line}`);
      index++;
      if (character === '"') break;
      if (character === '\n') throw new Error(`raw newline in a label value: ${line}`);
      if (character !== '\\') {
        value += character;
        continue;
      }
      const escaped = text[index++];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new Error(`bad escape \\${escaped} in: ${line}`);
    }
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`bad label name ${name}`);
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    if (text[index] === ',') index++;
    else if (text[index] !== '}') throw new Error(`expected , or } in: ${line}`);
  }
}

function familyOf(families: Map<string, MetricFamily>, sampleName: string): MetricFamily {
  const exact = families.get(sampleName);
  if (exact && exact.type !== 'histogram') return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family?.type === 'histogram') return family;
    if (family?.type === 'summary' && suffix !== '_bucket') return family;
  }
  if (exact?.type === 'summary') return exact;
  throw new Error(`sample ${sampleName} has no # TYPE that allows it`);
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const series = new Set<string>();
  const helps = new Map<string, string>();
  if (text !== '' && !text.endsWith('\n'))
    throw new Error('the exposition must end with a newline');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!comment) continue; // any other comment is allowed and ignored
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'HELP') {
        if (helps.has(name)) throw new Error(`HELP for ${name} twice`);
        helps.set(name, rest);
        const family = families.get(name);
        if (family) family.help = rest;
        continue;
      }
      if (!TYPES.has(rest)) throw new Error(`unknown type in: ${line}`);
      if (families.has(name)) throw new Error(`TYPE for ${name} twice`);
      families.set(name, {
        name,
        type: rest as MetricFamily['type'],
        help: helps.get(name) ?? '',
        samples: [],
      });
      continue;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line: ${line}`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || fields.length < 1 || fields.length > 2)
      throw new Error(`bad sample line: ${line}`);
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1]))
      throw new Error(`bad timestamp in: ${line}`);
    const value = parseValue(fields[0]!, line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`series twice: ${line}`);
    series.add(key);
    const family = familyOf(families, name);
    if (name.endsWith('_bucket') && family.type === 'histogram' && labels.le === undefined)
      throw new Error(`bucket without le: ${line}`);
    family.samples.push({ name, labels, value });
  }
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    );
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match`);
  return matching[0]?.value;
}
