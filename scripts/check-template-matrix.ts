/**
 * Compiles every exposed contract-template combination (288 contracts) with the production compiler
 * settings. Too slow for the test suite (several minutes on 2 cores), which compiles the representative
 * set instead; run this after changing a template: `node --import tsx scripts/check-template-matrix.ts`.
 */
import { cpus } from 'node:os';
import { createSolcCompiler } from '../src/chain/compiler/solc-compiler.ts';
import { ContractTemplateOptionsSchema } from '../src/chain/contract-template-options.ts';
import { renderContract } from '../src/chain/templates/render-contract.ts';
import { everyTemplateCombination } from '../test/helpers/template-matrix.ts';

const CHUNK = 12;
const combinations = everyTemplateCombination();
const compiler = createSolcCompiler({ timeoutMilliseconds: 600_000 });
const started = Date.now();
let failures = 0;
console.log(
  `template matrix: ${combinations.length} combinations on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
);
try {
  for (let offset = 0; offset < combinations.length; offset += CHUNK) {
    const sources: Record<string, string> = {};
    for (const combination of combinations.slice(offset, offset + CHUNK)) {
      const rendered = renderContract(ContractTemplateOptionsSchema.parse(combination));
      sources[rendered.sourceName] = rendered.source;
    }
    try {
      const result = await compiler.compile(sources);
      const empty = result.contracts.filter((contract) => contract.bytecode.length <= 2);
      if (result.contracts.length !== Object.keys(sources).length || empty.length > 0)
        throw new Error(
          `missing bytecode: ${empty.map((contract) => contract.contractName).join(', ')}`,
        );
      if (result.warnings.length > 0) console.log(result.warnings.join('\n'));
    } catch (error) {
      failures++;
      console.error(`✗ combinations ${offset}–${offset + CHUNK - 1}: ${(error as Error).message}`);
    }
    console.log(
      `  ${Math.min(offset + CHUNK, combinations.length)}/${combinations.length} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
} finally {
  await compiler.close();
}
console.log(
  failures === 0
    ? 'template matrix: every combination compiles'
    : `template matrix: ${failures} chunk(s) failed`,
);
process.exit(failures === 0 ? 0 : 1);
