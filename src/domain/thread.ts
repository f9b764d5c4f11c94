/** The thread object: a stored conversation. */
import type { Metadata, ToolResources } from './assistant.ts';

export interface Thread {
  id: string;
  object: 'thread';
  created_at: number;
  tool_resources: ToolResources;
  metadata: Metadata;
}
