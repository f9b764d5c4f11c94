/**
 * The two access models of every template. `ownable`: one owner guards every privileged function.
 * `roles`: AccessControl, one role per privilege, all granted to the admin at deployment.
 */
import type { ContractSpec } from './solidity-source.ts';

export type AccessModel = 'ownable' | 'roles';

export interface AccessControlParts {
  parameter: 'initialOwner' | 'defaultAdmin';
  /** The modifier guarding a privileged function, e.g. `onlyOwner` or `onlyRole(MINTER_ROLE)`. */
  guard(role: string): string;
  /** Adds the import, parent, role constants, constructor call and grants to `spec`. */
  applyTo(spec: ContractSpec, roles: readonly string[]): void;
}

export function accessControl(model: AccessModel): AccessControlParts {
  if (model === 'ownable') {
    return {
      parameter: 'initialOwner',
      guard: () => 'onlyOwner',
      applyTo(spec) {
        spec.imports.push({
          symbol: 'Ownable',
          path: '@openzeppelin/contracts/access/Ownable.sol',
        });
        spec.parents.push('Ownable');
        spec.baseCalls.push('Ownable(initialOwner)');
      },
    };
  }
  return {
    parameter: 'defaultAdmin',
    guard: (role) => `onlyRole(${role})`,
    applyTo(spec, roles) {
      spec.imports.push({
        symbol: 'AccessControl',
        path: '@openzeppelin/contracts/access/AccessControl.sol',
      });
      spec.parents.push('AccessControl');
      spec.declarations.push(
        ...roles.map((role) => `bytes32 public constant ${role} = keccak256("${role}");`),
      );
      spec.constructorBody.unshift(
        '_grantRole(DEFAULT_ADMIN_ROLE, defaultAdmin);',
        ...roles.map((role) => `_grantRole(${role}, defaultAdmin);`),
      );
    },
  };
}

/** `pause()` and `unpause()`, guarded. */
export function pauseFunctions(guard: string): string[][] {
  return [
    [`function pause() public ${guard} {`, '    _pause();', '}'],
    [`function unpause() public ${guard} {`, '    _unpause();', '}'],
  ];
}

/** An override of `signature` that only forwards to `super`, listing every base that defines it. */
export function forwardingOverride(
  signature: string,
  bases: readonly string[],
  returns: string | undefined,
  call: string,
): string[] {
  const head = `${signature} override(${bases.join(', ')})${returns ? ` returns (${returns})` : ''} {`;
  return [head, `    ${returns ? 'return ' : ''}super.${call};`, '}'];
}
