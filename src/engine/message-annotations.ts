/**
 * Annotations of an assistant message, from what the run's tools produced: `【n†name】` citation markers
 * become `file_citation` annotations pointing at the n-th file_search result of the run, and
 * `sandbox:/mnt/data/<name>` links become `file_path` annotations pointing at the file a tool wrote.
 * Also collects tool-made content (images) that the next assistant message carries.
 */
import type { Annotation, MessageContent } from '../domain/message.ts';
import type { RunStep } from '../domain/run.ts';
import type { StepTranscript } from '../domain/run-record.ts';

export interface RunSources {
  /** file_search results in the order their markers number them. */
  citations: Array<{ fileId: string }>;
  /** Files tools wrote, by the name the model links. */
  files: Map<string, string>;
  /** Tool-made content not yet shown in a message. */
  pendingContent: MessageContent[];
}

export function collectRunSources(
  steps: Array<{ step: RunStep; transcript: StepTranscript | null }>,
): RunSources {
  const sources: RunSources = { citations: [], files: new Map(), pendingContent: [] };
  for (const { step, transcript } of steps) {
    if (step.step_details.type === 'message_creation') {
      if (step.status === 'completed') sources.pendingContent = [];
      continue;
    }
    for (const call of step.step_details.tool_calls) {
      if (call.type === 'file_search')
        for (const result of call.file_search.results ?? [])
          sources.citations.push({ fileId: result.file_id });
    }
    for (const call of transcript?.calls ?? []) {
      for (const file of call.files ?? []) sources.files.set(file.name, file.fileId);
      if (call.messageContent) sources.pendingContent.push(...call.messageContent);
    }
  }
  return sources;
}

/**
 * The longest source or file name a marker or link may carry (the Files API's filename limit). The
 * bound keeps what a streamed message holds back (a marker still completing) short.
 */
export const MARKER_NAME_LIMIT = 512;
const CITATION = new RegExp(`【(\\d{1,9})(?::\\d{1,9})?†[^】]{0,${MARKER_NAME_LIMIT}}】`, 'g');
const SANDBOX_PATH = new RegExp(`sandbox:/mnt/data/([^\\s)\\]"'<>]{1,${MARKER_NAME_LIMIT}})`, 'g');
/** The text from a `【` on, when more text can still make it a citation marker. */
export const OPEN_CITATION = new RegExp(
  `^【(?:\\d{1,9}(?::\\d{0,9})?|\\d{1,9}(?::\\d{1,9})?†[^】]{0,${MARKER_NAME_LIMIT}})?$`,
);

/** A citation marker or sandbox link in a text, and the annotation it makes (if it points at something). */
export interface Marker {
  kind: 'citation' | 'path';
  start: number;
  /** Where the match ends, trailing punctuation included (a link ends only where its text stops). */
  end: number;
  annotation: Annotation | undefined;
}

/** Every marker and link in `text`, in the order of `start`; indexes count from `offset`. */
export function findMarkers(text: string, sources: RunSources, offset = 0): Marker[] {
  const markers: Marker[] = [];
  for (const match of text.matchAll(CITATION)) {
    const source = sources.citations[Number(match[1])];
    const start = offset + match.index;
    const end = start + match[0].length;
    markers.push({
      kind: 'citation',
      start,
      end,
      annotation: source && {
        type: 'file_citation',
        text: match[0],
        file_citation: { file_id: source.fileId },
        start_index: start,
        end_index: end,
      },
    });
  }
  for (const match of text.matchAll(SANDBOX_PATH)) {
    const start = offset + match.index;
    const fileId = sources.files.get(match[1]!.replace(/[.,;:]+$/, ''));
    const linked = match[0].replace(/[.,;:]+$/, '');
    markers.push({
      kind: 'path',
      start,
      end: start + match[0].length,
      annotation: fileId
        ? {
            type: 'file_path',
            text: linked,
            file_path: { file_id: fileId },
            start_index: start,
            end_index: start + linked.length,
          }
        : undefined,
    });
  }
  return markers.sort((a, b) => a.start - b.start);
}

/** The annotations of a whole text, in the order they appear. */
export function annotate(text: string, sources: RunSources): Annotation[] {
  return findMarkers(text, sources).flatMap((marker) =>
    marker.annotation ? [marker.annotation] : [],
  );
}
