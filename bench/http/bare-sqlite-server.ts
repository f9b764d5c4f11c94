/**
 * Second baseline: a bare Fastify server doing the same work on raw better-sqlite3 (insert the message
 * as JSON, list the newest 20 as JSON text), with no validation, auth or query layer. The gap between it
 * and Concierge is our framework's cost; the gap between it and the canned server is SQLite's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify from 'fastify';

const database = new SqliteDatabase(join(mkdtempSync(join(tmpdir(), 'bare-sqlite-')), 'bench.db'));
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
database.exec(
  'create table messages (id text primary key, thread_id text not null, created_at integer not null, object text not null)',
);
database.exec('create index messages_by_thread on messages (thread_id, created_at, id)');
const insert = database.prepare('insert into messages values (?, ?, ?, ?)');
const list = database.prepare(
  'select id, object from messages where thread_id = ? order by created_at desc, id desc limit 21',
);
let counter = 0;

// oxlint-disable oxc/no-async-endpoint-handlers -- Fastify (not Express) handlers are async by design
const app = Fastify({ logger: false });
app.post('/v1/threads/:thread_id/messages', async (request) => {
  const threadId = (request.params as { thread_id: string }).thread_id;
  const body = request.body as { role: string; content: string };
  const message = {
    id: `msg_${(++counter).toString().padStart(24, '0')}`,
    object: 'thread.message',
    created_at: Math.floor(Date.now() / 1000),
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: body.role,
    content: [{ type: 'text', text: { value: body.content, annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata: {},
  };
  insert.run(message.id, threadId, message.created_at, JSON.stringify(message));
  return message;
});
app.get('/v1/threads/:thread_id/messages', async (request, reply) => {
  const rows = list.all((request.params as { thread_id: string }).thread_id) as Array<{
    id: string;
    object: string;
  }>;
  const page = rows.slice(0, 20);
  reply.type('application/json');
  return `{"object":"list","data":[${page.map((row) => row.object).join(',')}],"first_id":${JSON.stringify(page[0]?.id ?? null)},"last_id":${JSON.stringify(page.at(-1)?.id ?? null)},"has_more":${rows.length > 20}}`;
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(
  `LISTENING http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`,
);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
