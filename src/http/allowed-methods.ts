/**
 * Which methods a path answers, from the declared routes: the `Allow` header of a 405 (a known path
 * with a wrong method) and of an `OPTIONS` answer. A path that no route declares has no methods, and
 * stays a 404 (the playground's fallback at `/` is not a declared route, so it never turns into a 405).
 */

/** The methods of `path` (no query string), sorted, with `HEAD` beside `GET` and `OPTIONS` when any. */
export type AllowedMethods = (path: string) => string[];

export function createAllowedMethods(
  routes: ReadonlyArray<{ method: string; path: string }>,
): AllowedMethods {
  const patterns = routes.map((route) => ({
    method: route.method,
    // Fastify's `:param` matches one non-empty segment; a trailing slash is ignored, as the router does.
    pattern: new RegExp(
      `^${route.path
        .replace(/\/+$/, '')
        .split('/')
        .map((segment) =>
          segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/')}/?$`,
    ),
  }));
  return (path) => {
    const methods = new Set(
      patterns.filter(({ pattern }) => pattern.test(path)).map(({ method }) => method),
    );
    if (methods.size === 0) return [];
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods].sort();
  };
}
