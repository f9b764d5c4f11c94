/** An error the API answered with (its OpenAI envelope), or a failure to reach it. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** Reads `{error:{message,param,code}}` from a failed response; falls back to the status text. */
  static async from(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    try {
      const body = JSON.parse(text) as {
        error?: { message?: string; param?: string | null; code?: string | null };
      };
      if (body.error?.message)
        return new ApiError(
          body.error.message,
          response.status,
          body.error.param ?? null,
          body.error.code ?? null,
        );
    } catch {
      // not JSON: use the status line below
    }
    return new ApiError(
      `${response.status} ${response.statusText || 'error'}`.trim(),
      response.status,
    );
  }
}
