// The action's own fields, generated from the library's ACTIONS table: a date
// picker per date, a local date-and-time picker per millisecond timestamp, a
// checkbox per metric, a select per enum and a text box per string.

import { fromLocalInput, h, localInputValue, utcDay, utcOffset } from "./util.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

// Example values, so that a fresh form makes a request the emulator answers.
const EXAMPLES = { roomId: "room-1", userId: "user-1", streamId: "stream-1" };

/** A first value for a parameter, relative to `now` (Unix ms). */
function initialValue(spec, now) {
  const lastMinute = Math.floor(now / MINUTE) * MINUTE;
  switch (spec.type) {
    case "date":
      // The last seven full days on the UTC calendar.
      return utcDay(now - (spec.name.startsWith("end") ? 1 : 7) * DAY);
    case "ms":
      // Ten minutes ending five minutes ago: the service's data lags a few minutes.
      return localInputValue(lastMinute - (spec.name.startsWith("end") ? 5 : 15) * MINUTE);
    case "enum":
      return spec.required ? spec.values[0] : "";
    default:
      return EXAMPLES[spec.name] ?? "";
  }
}

/** The form for one action at a time, remembering what was typed per parameter. */
export class ActionFields {
  constructor(container, onInput) {
    this.container = container;
    this.onInput = onInput;
    this.saved = new Map();
    this.action = null;
  }

  /** Shows the fields of `action` (an ACTIONS entry). */
  show(action, now = Date.now()) {
    if (this.action) this.save();
    this.action = action;
    this.container.replaceChildren(
      ...action.params.map((spec) => this.field(spec, now)),
    );
    this.refreshHints();
  }

  save() {
    for (const spec of this.action.params) {
      const key = this.key(spec);
      if (spec.type === "metrics") {
        this.saved.set(key, this.checkedMetrics());
      } else {
        this.saved.set(key, this.input(spec.name).value);
      }
    }
  }

  key(spec) {
    // Metrics differ per action; other values carry over between actions.
    return spec.type === "metrics" ? `${this.action.name}:metrics` : `${spec.type}:${spec.name}`;
  }

  input(name) {
    return this.container.querySelector(`#p-${name}`);
  }

  checkedMetrics() {
    return [...this.container.querySelectorAll("input[name=metric]:checked")]
      .map((box) => box.value);
  }

  field(spec, now) {
    const id = `p-${spec.name}`;
    const saved = this.saved.get(this.key(spec));
    const described = `${id}-hint ${id}-error`;
    const errorLine = h("p", {
      class: "field-error", id: `${id}-error`, "aria-live": "polite", hidden: true,
    });
    const badge = spec.required ? null : h("span", { class: "badge", text: "optional" });

    if (spec.type === "metrics") {
      const chosen = new Set(saved ?? this.action.metrics.slice(0, 2));
      const boxes = this.action.metrics.map((metric) =>
        h("label", { class: "check" },
          h("input", {
            type: "checkbox", name: "metric", value: metric,
            checked: chosen.has(metric), oninput: this.onInput,
          }),
          h("span", { text: metric })));
      const setAll = (on) => () => {
        for (const box of this.container.querySelectorAll("input[name=metric]")) {
          box.checked = on;
        }
        this.onInput();
      };
      return h("fieldset", {
        class: "field metrics", "data-param": spec.name, "aria-describedby": described,
      },
        h("legend", {}, spec.wire, badge),
        h("div", { class: "check-grid" }, boxes),
        h("div", { class: "actions actions-tight" },
          h("button", { type: "button", class: "btn btn-small", onclick: setAll(true) },
            "Select all"),
          h("button", { type: "button", class: "btn btn-small", onclick: setAll(false) },
            "Clear")),
        h("p", { class: "hint", id: `${id}-hint` },
          `Sent as one ${spec.wire}= pair per metric, in this order.`),
        errorLine);
    }

    let control;
    const common = {
      id, "aria-describedby": described, oninput: this.onInput, onchange: this.onInput,
    };
    const value = saved ?? initialValue(spec, now);
    if (spec.type === "enum") {
      const options = spec.required ? [] : [h("option", { value: "", text: "Not sent" })];
      for (const v of spec.values) options.push(h("option", { value: v, text: v }));
      control = h("select", common, options);
    } else if (spec.type === "date") {
      control = h("input", { ...common, type: "date", required: spec.required });
    } else if (spec.type === "ms") {
      control = h("input", {
        ...common, type: "datetime-local", step: 1, required: spec.required,
      });
    } else {
      control = h("input", {
        ...common, type: "text", autocomplete: "off", spellcheck: "false",
        required: spec.required,
        placeholder: spec.name === "region" ? "all, or a place name such as 中国" : null,
      });
    }
    control.value = value;
    return h("div", { class: "field", "data-param": spec.name },
      h("label", { for: id }, spec.wire, badge),
      control,
      h("p", { class: "hint", id: `${id}-hint` }),
      errorLine);
  }

  /** Updates the hints that show what each value becomes on the wire. */
  refreshHints() {
    for (const spec of this.action.params) {
      const hint = this.container.querySelector(`#p-${spec.name}-hint`);
      if (!hint || spec.type === "metrics") continue;
      const value = this.input(spec.name).value;
      if (spec.type === "date") {
        hint.textContent = value ? `Sent as ${value.replaceAll("-", "")}` : "yyyyMMdd on the wire";
      } else if (spec.type === "ms") {
        const ms = fromLocalInput(value);
        const zone = utcOffset(Number.isNaN(ms) ? Date.now() : ms);
        hint.textContent = Number.isNaN(ms)
          ? `Your local time (${zone}), sent as Unix milliseconds`
          : `Your local time (${zone}), sent as ${ms}`;
      } else if (spec.type === "enum") {
        hint.textContent = spec.required ? "" : "Leave it out for the service's default.";
      } else {
        hint.textContent = spec.required ? "" : "Leave it empty to leave it out.";
      }
      hint.hidden = hint.textContent === "";
    }
  }

  /** The parameters as the client method takes them (JavaScript names). */
  params() {
    const out = {};
    for (const spec of this.action.params) {
      if (spec.type === "metrics") {
        out[spec.name] = this.checkedMetrics();
        continue;
      }
      const value = this.input(spec.name).value;
      if (value.trim() === "") continue;
      if (spec.type !== "ms") out[spec.name] = value;
      else if (!Number.isNaN(fromLocalInput(value))) out[spec.name] = fromLocalInput(value);
    }
    return out;
  }
}
