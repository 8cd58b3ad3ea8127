import type { ComponentChildren, JSX } from "preact";
import { fr } from "../i18n/fr";

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "onInput" | "value" | "label"> & {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  error?: string | null | undefined;
  hint?: ComponentChildren;
};

/** A labelled input whose error is written next to it and announced with it (aria-describedby). */
export function Field({ id, label, value, onValue, error, hint, class: className, ...rest }: InputProps) {
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " field--invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        value={value}
        onInput={(event) => onValue((event.target as HTMLInputElement).value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...rest}
      />
      {hint && (
        <span id={`${id}-hint`} class="field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} class="field__error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function SelectField(props: {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  error?: string | null | undefined;
  class?: string;
}) {
  return (
    <div class={`field${props.error ? " field--invalid" : ""}${props.class ? ` ${props.class}` : ""}`}>
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onValue((event.target as HTMLSelectElement).value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.error && (
        <span id={`${props.id}-error`} class="field__error" role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** A checkbox with its label after it. */
export function CheckField(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <div class="field field--check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
      />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

/** The device filter of a page: every device, or one of them by its name. */
export function DeviceField(props: {
  id: string;
  value: string;
  onValue: (deviceId: string) => void;
  devices: readonly { device_id: string; name: string }[] | null | undefined;
}) {
  const options = [{ value: "", label: "Tous les appareils" }];
  for (const d of props.devices ?? []) options.push({ value: d.device_id, label: d.name });
  return (
    <SelectField
      id={props.id}
      label="Appareil"
      value={props.value}
      onValue={props.onValue}
      options={options}
    />
  );
}

/** A message after an action: success is polite, an error is assertive. */
export function Notice({
  kind,
  children,
}: {
  kind: "success" | "error" | "info" | "warning";
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice--${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/**
 * The props of a form's text field for one key of its draft: id `${prefix}-${key}` (what a server error's
 * field focuses), the draft's value, its error; the label and the input's own attributes stay the caller's.
 */
export function fieldsOf<D extends { [K in keyof D]: string }>(
  prefix: string,
  draft: D,
  errors: Readonly<Record<string, string>>,
  setDraft: (draft: D) => void,
) {
  return (key: keyof D & string) => ({
    id: `${prefix}-${key}`,
    value: draft[key],
    onValue: (value: string) => setDraft({ ...draft, [key]: value }),
    error: errors[key],
  });
}

/** A card's form buttons: submit, then cancel when there is something to cancel. */
export function FormActions(props: {
  submit: ComponentChildren;
  onCancel?: (() => void) | null | undefined;
  cancel?: ComponentChildren;
}) {
  return (
    <div class="card__actions">
      <button type="submit" class="button button--primary">
        {props.submit}
      </button>
      {props.onCancel && (
        <button type="button" class="button button--ghost" onClick={props.onCancel}>
          {props.cancel ?? fr.common.cancel}
        </button>
      )}
    </div>
  );
}

/** A secret shown once: read-only, selected on focus, with its copy button (the label is for screen readers). */
export function SecretValue(props: {
  id: string;
  label: string;
  value: string;
  onCopy: () => void;
  copied?: boolean;
}) {
  return (
    <div class="secret">
      <label for={props.id} class="visually-hidden">
        {props.label}
      </label>
      <input
        id={props.id}
        readOnly
        value={props.value}
        onFocus={(e) => (e.target as HTMLInputElement).select()}
      />
      <button type="button" class="button" onClick={props.onCopy}>
        {props.copied ? fr.common.copied : fr.common.copy}
      </button>
    </div>
  );
}

/** A table's only row when it has nothing to list. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={colSpan}>{children}</td>
    </tr>
  );
}
