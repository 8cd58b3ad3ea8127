import type { ComponentChildren, JSX } from "preact";

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
