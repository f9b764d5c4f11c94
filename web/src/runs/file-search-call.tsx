/** A file_search call: its ranking options and each result with its file, score and (when included) text. */
import type { StepToolCall } from '../api/api-objects.ts';
import { FileNameLink } from '../files/file-name-link.tsx';

type SearchCall = Extract<StepToolCall, { type: 'file_search' }>;

export function FileSearchCall({ call }: { call: SearchCall }) {
  const results = call.file_search.results ?? [];
  const ranking = call.file_search.ranking_options;
  return (
    <div className="tool-call-body">
      {ranking && (
        <p className="muted">
          Ranker {ranking.ranker}, score threshold {ranking.score_threshold}
        </p>
      )}
      {results.length === 0 ? (
        <p className="muted">No results.</p>
      ) : (
        <table className="results">
          <caption className="visually-hidden">File search results</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Score</th>
              <th scope="col">Content</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result, index) => (
              <tr key={`${result.file_id}-${index}`}>
                <td>
                  <FileNameLink fileId={result.file_id} />
                </td>
                <td className="number">{result.score.toFixed(3)}</td>
                <td className="result-text">
                  {result.content?.map((part) => part.text).join('\n') ?? (
                    <span className="muted">not included</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
