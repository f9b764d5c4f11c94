import { Message } from '@a2a-js/sdk';
import { ContentTypeNotSupportedError, RequestMalformedError } from '@a2a-js/sdk/errors';
import { describe, expect, it } from 'vitest';
import { toolOutputsOf, userContentOf } from './message-input.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const message = (parts: object[]) => Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', parts });
const call = (id: string) => ({
  id,
  type: 'function' as const,
  function: { name: 'get_weather', arguments: '{}' },
});

describe('A2A messages as Concierge input', () => {
  it('turns text, data, images and file links into user message content', () => {
    const content = userContentOf(
      message([
        { text: 'Plan my trip' },
        { data: { days: 2 } },
        { raw: PNG.toString('base64'), mediaType: 'image/png' },
        { url: 'https://example.com/map.jpg', mediaType: 'image/jpeg' },
        {
          url: 'https://example.com/itinerary.pdf',
          mediaType: 'application/pdf',
          filename: 'itinerary.pdf',
        },
      ]),
    );
    expect(content).toEqual([
      { type: 'text', text: 'Plan my trip' },
      { type: 'text', text: '```json\n{\n  "days": 2\n}\n```' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/map.jpg' } },
      {
        type: 'text',
        text: '[file itinerary.pdf (application/pdf): https://example.com/itinerary.pdf]',
      },
    ]);
  });

  it('refuses inline files other than images, and empty messages', () => {
    expect(() =>
      userContentOf(message([{ raw: 'JVBERi0=', mediaType: 'application/pdf' }])),
    ).toThrow(ContentTypeNotSupportedError);
    expect(() => userContentOf(message([]))).toThrow(RequestMalformedError);
  });

  it('reads a reply as tool outputs: explicit, or the reply itself for a single call', () => {
    const explicit = message([
      {
        data: {
          tool_outputs: [
            { tool_call_id: 'call_a', output: '1' },
            { tool_call_id: 'call_b', output: '2' },
          ],
        },
      },
    ]);
    expect(toolOutputsOf(explicit, [call('call_a'), call('call_b')])).toEqual([
      { tool_call_id: 'call_a', output: '1' },
      { tool_call_id: 'call_b', output: '2' },
    ]);
    expect(toolOutputsOf(message([{ text: 'sunny' }]), [call('call_a')])).toEqual([
      { tool_call_id: 'call_a', output: 'sunny' },
    ]);
    expect(toolOutputsOf(message([{ data: { approved: true } }]), [call('call_a')])).toEqual([
      { tool_call_id: 'call_a', output: '{"approved":true}' },
    ]);
  });

  it('says how to answer several calls, and refuses malformed tool_outputs', () => {
    expect(() =>
      toolOutputsOf(message([{ text: 'sunny' }]), [call('call_a'), call('call_b')]),
    ).toThrow(/waits for 2 function results \(call_a, call_b\)/);
    expect(() =>
      toolOutputsOf(message([{ data: { tool_outputs: [{ tool_call_id: 'call_a' }] } }]), [
        call('call_a'),
      ]),
    ).toThrow(/tool_outputs must be an array/);
  });
});
