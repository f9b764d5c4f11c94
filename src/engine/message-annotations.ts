/**
 * Annotations of an assistant message, from what the run's tools produced: `【n†name】` citation markers
 * become `file_citation` annotations pointing at the n-th file_search result of the run, and
 * `sandbox:/mnt/data/<name>` links become `file_path` annotations pointing at the file a tool wrote.
 * Also collects tool-made content (images) that the next assistant message carries.
 */
import type { Annotation, MessageContent } from '../domain/message.ts';
import type { RunStep } from '../domain/run.ts';
import type { StepTranscript } from '../storage/ports/runs-port.ts';

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

const CITATION = /【(\d+)(?::\d+)?†[^】]*】/g;
const SANDBOX_PATH = /sandbox:\/mnt\/data\/([^\s)\]"'<>]+)/g;

export function annotate(text: string, sources: RunSources): Annotation[] {
  const annotations: Annotation[] = [];
  for (const match of text.matchAll(CITATION)) {
    const source = sources.citations[Number(match[1])];
    if (!source) continue;
    annotations.push({
      type: 'file_citation',
      text: match[0],
      file_citation: { file_id: source.fileId },
      start_index: match.index,
      end_index: match.index + match[0].length,
    });
  }
  for (const match of text.matchAll(SANDBOX_PATH)) {
    const fileId = sources.files.get(match[1]!.replace(/[.,;:]+$/, ''));
    if (!fileId) continue;
    const linked = match[0].replace(/[.,;:]+$/, '');
    annotations.push({
      type: 'file_path',
      text: linked,
      file_path: { file_id: fileId },
      start_index: match.index,
      end_index: match.index + linked.length,
    });
  }
  return annotations.sort((a, b) => a.start_index - b.start_index);
}
