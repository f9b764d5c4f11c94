/** Baseline: a bare Fastify server answering the same two routes with canned JSON, no storage, no auth. */
import Fastify from 'fastify';

const message = {
  id: 'msg_0VcJWdxa1eBrTPNSzkTO8Hty',
  object: 'thread.message',
  created_at: 1795908881,
  thread_id: 'thread_0VcJWdxa1eBrTPNSzkTO8Hty',
  status: 'completed',
  incomplete_details: null,
  completed_at: null,
  incomplete_at: null,
  role: 'user',
  content: [{ type: 'text', text: { value: 'How does a bare server compare?', annotations: [] } }],
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
};
const page = {
  object: 'list',
  data: Array.from({ length: 20 }, () => message),
  first_id: message.id,
  last_id: message.id,
  has_more: true,
};

const app = Fastify({ logger: false });
app.post('/v1/threads/:thread_id/messages', async () => message);
app.get('/v1/threads/:thread_id/messages', async () => page);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(
  `LISTENING http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`,
);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
