// REFI-QDA variables (Project.xsd VariableType / VariableValueType): which type an attribute gets, how a
// value is written in that type, and how a value written by any tool is read back.
import type { XmlElement } from "./xml.js";

export type VariableType = "Text" | "Boolean" | "Integer" | "Float" | "Date" | "DateTime";
export type AttributeValue = number | boolean | string;

/** SPEC section 13: `Integer` when every value is an integer, `Float` for other numbers, `Boolean`, else `Text`. */
export function variableType(values: AttributeValue[]): VariableType {
  if (values.length && values.every((v) => typeof v === "number" && Number.isInteger(v))) return "Integer";
  if (values.length && values.every((v) => typeof v === "number")) return "Float";
  if (values.length && values.every((v) => typeof v === "boolean")) return "Boolean";
  return "Text";
}

/** A finite number as an xsd:decimal / xsd:integer literal (no exponent: `1e-7` is `0.0000001`). */
export function decimalLiteral(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = "", expText] = m;
  const exp = Number(expText);
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`.replace(/0+$/, "");
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The value element of a VariableValue of this type: its name and text. */
export function valueElement(type: VariableType, v: AttributeValue): [string, string] {
  if (type === "Integer" || type === "Float") return [`${type}Value`, decimalLiteral(v as number)];
  if (type === "Boolean") return ["BooleanValue", String(v)];
  if (type === "Date") return ["DateValue", String(v)];
  return ["TextValue", String(v)];
}

/**
 * The value of a VariableValue element as an attribute: integers and decimals as numbers (when a
 * JavaScript number holds them exactly enough: safe integers, finite decimals), booleans as booleans,
 * dates and everything else as text. Undefined when the element holds no value.
 */
export function readValue(vv: XmlElement): AttributeValue | undefined {
  const el = vv.children.find((c) => c.name.endsWith("Value"));
  if (!el) return undefined;
  const t = el.text.trim();
  switch (el.name) {
    case "IntegerValue": {
      const n = Number(t);
      return /^[+-]?\d+$/.test(t) && Number.isSafeInteger(n) ? n : t;
    }
    case "FloatValue": {
      const n = Number(t);
      return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) && Number.isFinite(n) ? n : t;
    }
    case "BooleanValue":
      return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : t;
    case "DateValue":
    case "DateTimeValue":
      return t;
    default:
      return el.text;
  }
}
