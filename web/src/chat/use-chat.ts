/**
 * The chat's actions: send a message (creating the thread on first use, uploading attachments), run the
 * assistant with a live event stream, submit tool outputs (also streamed), and cancel.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/api-client.ts';
import type { Assistant, FileObject, Run, Thread } from '../api/api-objects.ts';
import type { ToolOutput } from '../actions/required-action-panel.tsx';
import { navigate } from '../app/router.tsx';
import { applyRunEvent, EMPTY_LIVE_RUN, type LiveRun } from './live-run.ts';
import { rememberThread } from './recent-threads.ts';

export interface ChatActions {
  live: LiveRun;
  streaming: boolean;
  error: string | undefined;
  send(text: string, files: File[]): Promise<void>;
  submitToolOutputs(run: Run, outputs: ToolOutput[]): Promise<void>;
  cancel(run: Run): Promise<void>;
}

async function messageBody(api: ApiClient, assistant: Assistant, text: string, files: File[]) {
  const content: Array<Record<string, unknown>> = text.trim() ? [{ type: 'text', text }] : [];
  const attachments: Array<Record<string, unknown>> = [];
  const fileTools = assistant.tools
    .filter((tool) => tool.type === 'file_search' || tool.type === 'code_interpreter')
    .map((tool) => ({ type: tool.type }));
  for (const file of files) {
    if (file.type.startsWith('image/')) {
      const uploaded = await api.upload<FileObject>(file, 'vision');
      content.push({ type: 'image_file', image_file: { file_id: uploaded.id } });
    } else {
      const uploaded = await api.upload<FileObject>(file, 'assistants');
      attachments.push({
        file_id: uploaded.id,
        tools: fileTools.length ? fileTools : [{ type: 'file_search' }],
      });
    }
  }
  if (content.length === 0)
    content.push({ type: 'text', text: files.map((file) => file.name).join(', ') });
  return { role: 'user', content, ...(attachments.length ? { attachments } : {}) };
}

export function useChat(
  api: ApiClient,
  threadId: string | undefined,
  assistant: Assistant | undefined,
  onSettled: () => void,
): ChatActions {
  const [live, setLive] = useState<LiveRun>(EMPTY_LIVE_RUN);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string>();
  // The thread a send goes to: the page's, or the one the first send created before the page caught up.
  const threadRef = useRef(threadId);
  useEffect(() => {
    threadRef.current = threadId;
  }, [threadId]);

  const follow = useCallback(
    async (path: string, body: Record<string, unknown>) => {
      setStreaming(true);
      setError(undefined);
      try {
        await api.stream(path, body, (event) => setLive((state) => applyRunEvent(state, event)));
      } catch (failure) {
        setError((failure as Error).message);
      } finally {
        setStreaming(false);
        onSettled();
      }
    },
    [api, onSettled],
  );

  const send = useCallback(
    async (text: string, files: File[]) => {
      if (!assistant) return;
      setError(undefined);
      try {
        let id = threadRef.current;
        if (!id) {
          const thread = await api.post<Thread>('/v1/threads', {});
          id = thread.id;
          threadRef.current = id;
          rememberThread(id, text.slice(0, 60) || 'Attachments');
          navigate(`/threads/${id}`, { replace: true });
        }
        await api.post(
          `/v1/threads/${id}/messages`,
          await messageBody(api, assistant, text, files),
        );
        setLive(EMPTY_LIVE_RUN);
        onSettled();
        await follow(`/v1/threads/${id}/runs`, { assistant_id: assistant.id });
      } catch (failure) {
        setError((failure as Error).message);
      }
    },
    [api, assistant, follow, onSettled],
  );

  const submitToolOutputs = useCallback(
    (run: Run, outputs: ToolOutput[]) =>
      follow(`/v1/threads/${run.thread_id}/runs/${run.id}/submit_tool_outputs`, {
        tool_outputs: outputs,
      }),
    [follow],
  );

  const cancel = useCallback(
    async (run: Run) => {
      try {
        await api.post(`/v1/threads/${run.thread_id}/runs/${run.id}/cancel`);
      } catch (failure) {
        setError((failure as Error).message);
      }
    },
    [api],
  );

  return { live, streaming, error, send, submitToolOutputs, cancel };
}
