"""From a document to an answer: the documents' checks (permissions, agency scope, limits)
kept per text, known queries run straight, the executor's shortcuts, errors as clients see
them, request metrics."""
