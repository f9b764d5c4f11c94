/** Zod issues as one readable line for the model: each problem names its field, so the model can fix the call. */
import type { z } from 'zod';

export function describeInputIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`)
    .join('; ');
}
