/** A link to a file's page, named by its filename once known. */
import { Link } from '../app/router.tsx';
import { useFile } from './use-file.ts';

export function FileNameLink({ fileId, prefix }: { fileId: string; prefix?: string }) {
  const file = useFile(fileId);
  return (
    <Link to={`/files/${fileId}`}>
      {prefix}
      {file?.filename ?? fileId}
    </Link>
  );
}
