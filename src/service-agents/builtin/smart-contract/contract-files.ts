/** The files a generated contract comes back as: its source, its ABI and its creation bytecode. */
import type { GeneratedContract } from '../../../chain/contract-factory.ts';
import type { AgentFile } from '../../builtin-agent.ts';

export function contractFiles(contract: GeneratedContract): AgentFile[] {
  const name = contract.contractName;
  return [
    { name: `${name}.sol`, content: contract.source, mimeType: 'text/x-solidity' },
    {
      name: `${name}.abi.json`,
      content: `${JSON.stringify(contract.abi, null, 2)}\n`,
      mimeType: 'application/json',
    },
    { name: `${name}.bytecode.txt`, content: `${contract.bytecode}\n`, mimeType: 'text/plain' },
  ];
}
