import type { ComponentChildren } from "preact";

/**
 * A data table that scrolls sideways on a narrow screen, its column headings in a row; the body is the
 * caller's rows. `labelledBy` names the heading that titles it.
 */
export function DataTable(props: {
  columns: ComponentChildren[];
  labelledBy?: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll">
      <table class={`data-table${props.class ? ` ${props.class}` : ""}`} aria-labelledby={props.labelledBy}>
        <thead>
          <tr>
            {props.columns.map((column, i) => (
              // a table's columns are fixed: their place is their identity
              <th key={i} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
