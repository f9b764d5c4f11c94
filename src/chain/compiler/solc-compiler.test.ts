import { afterAll, describe, expect, it } from 'vitest';
import { SolidityCompilationError } from '../solidity-compiler.ts';
import { createSolcCompiler } from './solc-compiler.ts';

const TOKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Coin is ERC20 {
    constructor() ERC20("Coin", "CN") { _mint(msg.sender, 1000); }
}
`;

describe('solc compiler (bundled solc-js 0.8.37 in a worker thread)', () => {
  const compiler = createSolcCompiler();
  afterAll(() => compiler.close());

  it('compiles a contract importing OpenZeppelin into ABI and bytecode, with the bundled compiler', async () => {
    const result = await compiler.compile({ 'Coin.sol': TOKEN });
    expect(result.compilerVersion).toMatch(/^0\.8\.37\+commit/);
    expect(result.contracts.map((contract) => contract.contractName)).toEqual(['Coin']);
    const [coin] = result.contracts;
    expect(coin!.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    expect(coin!.deployedBytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    expect(coin!.abi.some((item) => item.type === 'function' && item.name === 'transfer')).toBe(
      true,
    );
    expect(result.warnings).toEqual([]);
  });

  it('reports compile errors as readable file:line:column lines', async () => {
    const broken =
      'pragma solidity ^0.8.27;\ncontract Broken {\n    function f() public { total = 1; }\n}\n';
    const error = await compiler
      .compile({ 'Broken.sol': broken })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SolidityCompilationError);
    expect((error as SolidityCompilationError).errors).toEqual([
      'Broken.sol:3:27: DeclarationError: Undeclared identifier.',
    ]);
    expect((error as Error).message).toContain(
      'Broken.sol:3:27: DeclarationError: Undeclared identifier.',
    );
  });

  it('returns warnings alongside a successful compilation', async () => {
    const source =
      '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.27;\ncontract Quiet {\n    function f(uint256 unused) public pure returns (uint256) { return 1; }\n}\n';
    const result = await compiler.compile({ 'Quiet.sol': source });
    expect(result.contracts[0]!.contractName).toBe('Quiet');
    expect(result.warnings).toEqual([
      expect.stringMatching(/^Quiet\.sol:4:16: Warning: Unused function parameter/),
    ]);
  });

  it('refuses imports outside @openzeppelin/contracts, so a source cannot read files', async () => {
    const source = 'pragma solidity ^0.8.27;\nimport "../../../etc/passwd";\ncontract C {}\n';
    const error = await compiler.compile({ 'C.sol': source }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SolidityCompilationError);
    expect((error as Error).message).toMatch(
      /C\.sol:2:1: ParserError: .*Only @openzeppelin\/contracts\/\.\.\. imports are available/,
    );
    const traversal =
      'pragma solidity ^0.8.27;\nimport "@openzeppelin/contracts/../../../package.json";\ncontract D {}\n';
    await expect(compiler.compile({ 'D.sol': traversal })).rejects.toBeInstanceOf(
      SolidityCompilationError,
    );
  });

  it('serves concurrent compilations from the one worker, each with its own result', async () => {
    const sources = ['A', 'B', 'C'].map((name) => ({
      [`${name}.sol`]: `pragma solidity ^0.8.27;\ncontract ${name} { uint256 public value = ${name.charCodeAt(0)}; }\n`,
    }));
    const results = await Promise.all(sources.map((source) => compiler.compile(source)));
    expect(results.map((result) => result.contracts[0]!.contractName)).toEqual(['A', 'B', 'C']);
  });

  it('starts a fresh worker after close', async () => {
    await compiler.close();
    const result = await compiler.compile({ 'Coin.sol': TOKEN });
    expect(result.contracts[0]!.contractName).toBe('Coin');
  });
});
