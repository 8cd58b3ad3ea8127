import type { ComponentChildren } from "preact";
import { navigate } from "../state/router";

/** An ordinary link (it opens in a new tab, it is announced as a link) that changes page without a reload. */
export function Link(props: {
  href: string;
  class?: string;
  current?: boolean;
  onNavigate?: () => void;
  /** an accessible name other than the text (a count shown as a bare figure) */
  label?: string;
  children: ComponentChildren;
}) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-label={props.label}
      aria-current={props.current ? "page" : undefined}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        props.onNavigate?.();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
