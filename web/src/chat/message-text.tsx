/**
 * A text part with its annotations: each `file_citation` becomes a numbered link to its source file and
 * is listed under the text; each `file_path` (a file a tool produced) becomes a download button.
 */
import type { Annotation } from '../api/api-objects.ts';
import { Link } from '../app/router.tsx';
import { FileDownloadButton } from '../files/file-download-button.tsx';
import { FileNameLink } from '../files/file-name-link.tsx';

export function MessageText({ value, annotations }: { value: string; annotations: Annotation[] }) {
  const ordered = [...annotations]
    .filter((annotation) => annotation.end_index > annotation.start_index)
    .sort((a, b) => a.start_index - b.start_index);
  const sourceIds = [
    ...new Set(
      ordered.flatMap((annotation) =>
        annotation.type === 'file_citation' ? [annotation.file_citation.file_id] : [],
      ),
    ),
  ];
  const parts: React.ReactNode[] = [];
  let cursor = 0;
  for (const [position, annotation] of ordered.entries()) {
    if (annotation.start_index < cursor) continue;
    parts.push(value.slice(cursor, annotation.start_index));
    const citedFile =
      annotation.type === 'file_citation' ? annotation.file_citation.file_id : undefined;
    const producedFile = annotation.type === 'file_path' ? annotation.file_path.file_id : undefined;
    if (citedFile) {
      const number = sourceIds.indexOf(citedFile) + 1;
      parts.push(
        <sup key={`annotation-${position}`}>
          <Link to={`/files/${citedFile}`} className="citation" aria-label={`Source ${number}`}>
            [{number}]
          </Link>
        </sup>,
      );
    } else if (producedFile) {
      parts.push(<FileDownloadButton key={`annotation-${position}`} fileId={producedFile} />);
    }
    cursor = annotation.end_index;
  }
  parts.push(value.slice(cursor));

  return (
    <div className="message-text">
      <p>{parts}</p>
      {sourceIds.length > 0 && (
        <ol className="sources" aria-label="Sources">
          {sourceIds.map((fileId) => (
            <li key={fileId}>
              <FileNameLink fileId={fileId} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
