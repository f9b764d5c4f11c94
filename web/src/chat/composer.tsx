/**
 * The message box: Enter sends, Shift+Enter adds a line. Attached images go in as image content; other
 * files as attachments for the assistant's file tools.
 */
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

export interface ComposerProps {
  disabled: boolean;
  disabledReason: string | undefined;
  onSend(text: string, files: File[]): Promise<void>;
}

export function Composer({ disabled, disabledReason, onSend }: ComposerProps) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const blocked = disabled || sending;

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (blocked || (text.trim() === '' && files.length === 0)) return;
    setSending(true);
    try {
      await onSend(text, files);
      setText('');
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
    } finally {
      setSending(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="composer" onSubmit={(event) => void send(event)} aria-label="Send a message">
      <label htmlFor="composer-text" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        rows={3}
        placeholder={
          disabledReason ?? 'Message the assistant (Enter to send, Shift+Enter for a new line)'
        }
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={disabledReason ? 'composer-disabled' : undefined}
      />
      {disabledReason && (
        <p id="composer-disabled" className="hint">
          {disabledReason}
        </p>
      )}
      {files.length > 0 && (
        <ul className="chips" aria-label="Files to attach">
          {files.map((file) => (
            <li key={`${file.name}-${file.size}`}>
              {file.name}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${file.name}`}
                onClick={() => setFiles(files.filter((candidate) => candidate !== file))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-actions">
        <input
          id="composer-files"
          ref={fileInput}
          className="visually-hidden file-input"
          type="file"
          multiple
          onChange={(event) => setFiles([...files, ...Array.from(event.target.files ?? [])])}
        />
        <label className="button" htmlFor="composer-files">
          Attach files
        </label>
        <button type="submit" className="primary" disabled={blocked}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
