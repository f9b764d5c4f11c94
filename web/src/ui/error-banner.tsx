/** An error the user should see, announced to assistive technology as it appears. */
export function ErrorBanner({ error }: { error: Error | string | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  );
}
