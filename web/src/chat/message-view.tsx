/** One message of a thread: its content parts, attachments, and for the assistant's, a link to the run. */
import type { Message } from '../api/api-objects.ts';
import { Link } from '../app/router.tsx';
import { FileImage } from '../files/file-image.tsx';
import { FileNameLink } from '../files/file-name-link.tsx';
import { MessageText } from './message-text.tsx';

export function MessageView({ message }: { message: Message }) {
  return (
    <article
      className={`message message-${message.role}`}
      aria-label={message.role === 'user' ? 'Your message' : 'Assistant message'}
      data-message-id={message.id}
    >
      <header className="message-header">
        <span className="message-role">{message.role === 'user' ? 'You' : 'Assistant'}</span>
        {message.status === 'in_progress' && <span className="muted">writing…</span>}
        {message.status === 'incomplete' && (
          <span className="badge badge-attention">incomplete</span>
        )}
        {message.run_id && (
          <Link
            to={`/threads/${message.thread_id}/runs/${message.run_id}`}
            className="message-run-link"
          >
            View run
          </Link>
        )}
      </header>
      {message.content.map((part, index) => {
        switch (part.type) {
          case 'text':
            return (
              <MessageText
                key={index}
                value={part.text.value}
                annotations={part.text.annotations}
              />
            );
          case 'image_file':
            return <FileImage key={index} fileId={part.image_file.file_id} />;
          case 'image_url':
            return (
              <p key={index}>
                Image:{' '}
                <a href={part.image_url.url} rel="noreferrer noopener" target="_blank">
                  {part.image_url.url}
                </a>
              </p>
            );
          case 'refusal':
            return (
              <p key={index} className="refusal">
                Refused: {part.refusal}
              </p>
            );
          default:
            return null;
        }
      })}
      {message.attachments && message.attachments.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {message.attachments.map((attachment, index) => (
            <li key={attachment.file_id ?? index}>
              <FileNameLink fileId={attachment.file_id ?? ''} prefix="📎 " />{' '}
              <span className="muted">
                ({(attachment.tools ?? []).map((tool) => tool.type).join(', ')})
              </span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
