/** A field's problem, as a ProblemError lists it: a JSON pointer into the request and a message. */
export interface FieldProblem {
  path: string;
  message: string;
}
