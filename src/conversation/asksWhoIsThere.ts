/**
 * "Is daar iemand?", "ben je een mens?", "is anybody there?": the resident wonders who they are talking to.
 * Such a message is no answer to the open question (a wijk name, say); the bot says it is a bot and how to reach a person.
 */
import { normalise } from "./answers.ts";

const WHO_IS_THERE = [
  /\b(is|zit) (daar|er|hier) (nog )?(wel )?(iemand|iemant|een mens)\b/,
  /\biemand (daar|thuis|aanwezig)\b/,
  /\bleest (er )?(nog )?(wel )?iemand (mee|dit)\b/,
  /\b(ben|bent) (je|jij|u) (wel )?(een |echt )*(mens|robot|bot|computer|chatbot|persoon)\b/,
  /\bis dit (wel )?(een |echt )*(mens|robot|bot|computer|chatbot|persoon)\b/,
  /\b(praat|chat|spreek) ik (nu )?(met|tegen) (een )?(mens|robot|bot|computer|persoon|echt iemand)\b/,
  /\b(is )?(anybody|anyone|somebody|someone) (there|here)\b/,
  /\bare you (a )?(human|real|person|bot|robot|computer)\b/,
  /\bam i (talking|chatting) (to|with) (a )?(human|person|bot|robot|real person)\b/,
];

/** Whether the text asks whether anyone (a person) is there. */
export function asksWhoIsThere(text: string): boolean {
  const said = normalise(text);
  return said.split(" ").length <= 10 && WHO_IS_THERE.some((pattern) => pattern.test(said));
}
