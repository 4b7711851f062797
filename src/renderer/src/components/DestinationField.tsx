import { useId, useState, type FormEvent } from 'react';

/**
 * Where a batch that has not started goes: a folder inside the person's prefix, picked from recent
 * destinations or typed; empty means a new folder for the batch. Applying it plans the batch again.
 */
export function DestinationField({
  destination,
  recent,
  onApply,
}: {
  destination: string | undefined;
  recent: string[];
  onApply: (destination: string) => Promise<void>;
}) {
  const [text, setText] = useState(destination ?? '');
  const [problem, setProblem] = useState<string>();
  const listId = useId();
  const apply = (event?: FormEvent) => {
    event?.preventDefault();
    if (text.trim() === (destination ?? '')) return;
    setProblem(undefined);
    onApply(text.trim()).catch((error: Error) => setProblem(error.message));
  };
  return (
    <form className="destination" onSubmit={apply}>
      <label>
        Destination
        <input
          name="destination"
          list={listId}
          value={text}
          maxLength={1024}
          placeholder="A new folder for this batch"
          aria-describedby={problem ? `${listId}-problem` : undefined}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => setText(event.target.value)}
          onBlur={() => apply()}
        />
      </label>
      <datalist id={listId}>
        {recent.map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
      {problem && (
        <p id={`${listId}-problem`} role="alert" className="error">
          {problem}
        </p>
      )}
    </form>
  );
}
