import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { fr } from "../i18n/fr";

/**
 * The question and its two answers in place of the button that asked it; focus moves to the confirming
 * button so a keyboard user is not left on a button that vanished.
 */
export function InlineConfirm(props: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <span class="confirm">
      <span>{props.question}</span>
      <button
        ref={confirm}
        type="button"
        class="button button--small button--danger"
        onClick={props.onConfirm}
      >
        {props.confirmLabel}
      </button>
      <button type="button" class="button button--small button--ghost" onClick={props.onCancel}>
        {fr.common.cancel}
      </button>
    </span>
  );
}

/** A row's small danger button (delete, revoke) that asks first: while `asking`, the question stands in its place. */
export function ConfirmButton(props: {
  asking: boolean;
  onAsk: () => void;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  if (props.asking)
    return (
      <InlineConfirm
        question={props.question}
        confirmLabel={props.confirmLabel}
        onConfirm={props.onConfirm}
        onCancel={props.onCancel}
      />
    );
  return (
    <button type="button" class="button button--small button--danger-ghost" onClick={props.onAsk}>
      {props.children}
    </button>
  );
}
