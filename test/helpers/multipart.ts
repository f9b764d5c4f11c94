/** Builds a multipart/form-data body for `app.inject`, the way the official SDK sends uploads. */

export interface MultipartBody {
  payload: Buffer;
  headers: Record<string, string>;
}

export async function multipart(
  fields: Record<string, string>,
  file?: { name: string; content: string | Uint8Array; type?: string },
): Promise<MultipartBody> {
  const form = new FormData();
  if (file) {
    const bytes =
      typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    form.append(
      'file',
      new Blob([bytes], { type: file.type ?? 'application/octet-stream' }),
      file.name,
    );
  }
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const encoded = new Response(form);
  return {
    payload: Buffer.from(await encoded.arrayBuffer()),
    headers: { 'content-type': encoded.headers.get('content-type')! },
  };
}
