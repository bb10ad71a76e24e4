/** Text folding shared by the lexicon and the trained model. */

/** Folds text for matching: lowercase, accents removed, punctuation and emoji dropped. */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’‘`´]/g, "")
    .replace(/[^\p{L}\p{N}*]+/gu, " ")
    .trim();
}
