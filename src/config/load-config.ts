/**
 * The one configuration loader, and the only module that reads `process.env`.
 * Precedence: explicit option, then environment variable, then `concierge.config.json`, then default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigSchema,
  ENVIRONMENT_VARIABLES,
  type Config,
  type ConfigInput,
} from './config-schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Explicit settings; they win over everything else. */
  options?: Partial<ConfigInput>;
  /** The environment to read; defaults to `process.env`. Tests pass their own. */
  environment?: Record<string, string | undefined>;
  /** Path of the config file; defaults to `CONCIERGE_CONFIG` or `./concierge.config.json`. */
  configFile?: string;
}

/** Reads, merges and validates the configuration. Throws a `ConfigError` naming the variable at fault. */
export function loadConfig({
  options = {},
  environment = process.env,
  configFile,
}: LoadConfigOptions = {}): Config {
  const filePath = resolve(
    configFile ?? environment['CONCIERGE_CONFIG'] ?? 'concierge.config.json',
  );
  const fromFile = readConfigFile(
    filePath,
    configFile !== undefined || environment['CONCIERGE_CONFIG'] !== undefined,
  );

  const fromEnvironment: Record<string, string> = {};
  for (const [key, variable] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const value = environment[variable];
    if (value !== undefined && value !== '') fromEnvironment[key] = value;
  }

  const merged = { ...fromFile, ...fromEnvironment, ...withoutUndefined(options) };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const variable = ENVIRONMENT_VARIABLES[key as keyof typeof ENVIRONMENT_VARIABLES];
    const where = variable
      ? `${variable} (config key "${key}")`
      : `config key "${issue.path.join('.')}"`;
    throw new ConfigError(`Invalid configuration for ${where}: ${issue.message}`);
  }
  return parsed.data;
}

function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) throw new ConfigError(`Config file not found: ${path} (CONCIERGE_CONFIG)`);
    return {};
  }
  try {
    const content: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof content !== 'object' || content === null || Array.isArray(content)) {
      throw new ConfigError(`Config file ${path} must contain a JSON object`);
    }
    return content as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
