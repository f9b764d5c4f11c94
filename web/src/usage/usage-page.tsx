/**
 * Usage: the current project's tokens in and out per day and model, code interpreter sessions and
 * stored bytes (files, container files, vector stores), and the cost of each line item (tokens,
 * code interpreter sessions and seconds, storage GB-days) from the server's price tables, for the
 * last 30 days. It reads the
 * organization usage API (`/v1/organization/usage/*`, `/v1/organization/costs`), which answers the
 * admin key only; a project key is told so.
 */
import type {
  UsageCodeInterpreterSessionsResponse,
  UsageCompletionsResponse,
  UsageCostsResponse,
  UsageVectorStoresResponse,
} from 'openai/resources/admin/organization/usage';
import { useApi, useCaller } from '../api/api-context.tsx';
import { useResource } from '../api/use-resource.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { formatBytes } from '../ui/format.ts';

const DAYS = 30;
const DAY = 86_400;

type TokensResult = UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult;
type CostResult = UsageCostsResponse.Data.OrganizationCostsResult;
/** With Concierge's extension: the seconds the cells spent executing. */
type SessionsResult =
  UsageCodeInterpreterSessionsResponse.Data.OrganizationUsageCodeInterpreterSessionsResult & {
    usage_seconds?: number;
  };
type BytesResult = UsageVectorStoresResponse.Data.OrganizationUsageVectorStoresResult;

/** A page of buckets of one kind of result (the SDK types the results as a union of every kind). */
interface Bucket<Result> {
  start_time: number;
  end_time: number;
  results: Result[];
}
interface UsagePage<Result> {
  data: Array<Bucket<Result>>;
}

interface UsageReport {
  tokens: Array<Bucket<TokensResult>>;
  costs: Array<Bucket<CostResult>>;
  sessions: number;
  seconds: number;
  storedBytes: number;
}

function day(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** Tokens, sessions and seconds as counted; GB-days to six significant digits. */
function formatQuantity(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(Number(value.toPrecision(6)));
}

function formatUsd(value: number): string {
  return `$${value.toFixed(value !== 0 && value < 0.01 ? 6 : 2)}`;
}

export function UsagePage() {
  const api = useApi();
  const caller = useCaller();
  const projectId = caller.project.id;
  const report = useResource(async (): Promise<UsageReport | undefined> => {
    if (!caller.admin) return undefined;
    const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
    const query = (groups: string[]) => {
      const params = new URLSearchParams({
        start_time: String(today - (DAYS - 1) * DAY),
        bucket_width: '1d',
        limit: String(DAYS),
      });
      params.append('project_ids', projectId);
      for (const group of groups) params.append('group_by', group);
      return params.toString();
    };
    const [tokens, costs, sessions, bytes] = await Promise.all([
      api.get<UsagePage<TokensResult>>(`/v1/organization/usage/completions?${query(['model'])}`),
      api.get<UsagePage<CostResult>>(`/v1/organization/costs?${query(['line_item'])}`),
      api.get<UsagePage<SessionsResult>>(
        `/v1/organization/usage/code_interpreter_sessions?${query([])}`,
      ),
      api.get<UsagePage<BytesResult>>(`/v1/organization/usage/vector_stores?${query([])}`),
    ]);
    const sessionResults = sessions.data.flatMap((bucket) => bucket.results);
    return {
      tokens: tokens.data.filter((bucket) => bucket.results.length > 0).reverse(),
      costs: costs.data.filter((bucket) => bucket.results.length > 0).reverse(),
      sessions: sessionResults.reduce((sum, result) => sum + (result.num_sessions ?? 0), 0),
      seconds: sessionResults.reduce((sum, result) => sum + (result.usage_seconds ?? 0), 0),
      storedBytes: bytes.data.at(-1)?.results[0]?.usage_bytes ?? 0,
    };
  }, [api, caller.admin, projectId]);

  const value = report.value;
  const totalCost = (value?.costs ?? [])
    .flatMap((bucket) => bucket.results)
    .reduce((sum, result) => sum + (result.amount?.value ?? 0), 0);
  return (
    <section className="usage-page" aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <p className="muted">
        Project {caller.project.name} ({projectId}), the last {DAYS} days, in UTC days.
      </p>
      {!caller.admin ? (
        <p role="status">
          Usage is read through the organization usage API, which answers the admin key only. Sign
          in with the admin key to see it.
        </p>
      ) : (
        <>
          <ErrorBanner error={report.error} />
          {value && (
            <>
              <p data-testid="usage-summary">
                Code interpreter: {value.sessions} sessions, {value.seconds.toFixed(1)} s · Stored:{' '}
                {formatBytes(value.storedBytes)} · Cost: {formatUsd(totalCost)}
              </p>
              <table>
                <caption>Tokens per day and model</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Model</th>
                    <th scope="col">Input tokens</th>
                    <th scope="col">Output tokens</th>
                    <th scope="col">Requests</th>
                  </tr>
                </thead>
                <tbody>
                  {value.tokens.flatMap((bucket) =>
                    bucket.results.map((result) => (
                      <tr key={`${bucket.start_time} ${result.model}`}>
                        <td>{day(bucket.start_time)}</td>
                        <td>{result.model}</td>
                        <td className="number">{result.input_tokens}</td>
                        <td className="number">{result.output_tokens}</td>
                        <td className="number">{result.num_model_requests}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
              {value.tokens.length === 0 && <p className="muted">No tokens used yet.</p>}
              <table>
                <caption>Cost per day (from the server&apos;s price table)</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Line item</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Cost (USD)</th>
                  </tr>
                </thead>
                <tbody>
                  {value.costs.flatMap((bucket) =>
                    bucket.results.map((result) => (
                      <tr key={`${bucket.start_time} ${result.line_item}`}>
                        <td>{day(bucket.start_time)}</td>
                        <td>{result.line_item}</td>
                        <td className="number">{formatQuantity(result.quantity)}</td>
                        <td className="number">{formatUsd(result.amount?.value ?? 0)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
              {value.costs.length === 0 && (
                <p className="muted">No priced usage (models without a price are not counted).</p>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}
