// Typed keys: t("nav.dashboard") is checked against the English catalogue, and a missing or misspelt key
// fails the type check.
import "i18next";
import type { en } from "./en/index";

declare module "i18next" {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
    returnNull: false;
  }
}

/** The catalogue's shape with every text a string: what cs.ts must fill, key for key. */
export type Catalogue<T = typeof import("./en/index").en> = {
  [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]>;
};
