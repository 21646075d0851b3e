"""Turn an editor's quiz StreamField into plain data: the snapshot an attempt is graded on."""


def quiz_snapshot(stream) -> list[dict]:
    """Questions with stable ids (the block ids), choices and correct answers."""
    questions = []
    for block in stream:
        if block.block_type != "question":
            continue
        value = block.value
        choices = [
            {
                "id": child.id,
                "text": child.value["text"],
                "correct": bool(child.value["correct"]),
                "feedback": child.value["feedback"] or "",
            }
            for child in value["choices"].bound_blocks
        ]
        questions.append(
            {
                "id": block.id,
                "kind": value["kind"],
                "text": value["text"],
                "explanation": value["explanation"] or "",
                "choices": choices,
            }
        )
    return questions


def snapshot_in_language(source: list[dict], translated: list[dict]) -> list[dict]:
    """The source quiz as it is graded (ids, kinds, choices, correct answers) with the texts
    of its translation wherever the translation has the same question or choice id, so every
    language version grades the same way even if a translation drifted."""
    by_id = {question["id"]: question for question in translated}
    result = []
    for question in source:
        version = by_id.get(question["id"])
        if version is None:
            result.append(question)
            continue
        texts = {choice["id"]: choice for choice in version["choices"]}
        choices = [
            {
                **choice,
                "text": texts[choice["id"]]["text"],
                "feedback": texts[choice["id"]]["feedback"],
            }
            if choice["id"] in texts
            else choice
            for choice in question["choices"]
        ]
        result.append(
            {
                **question,
                "text": version["text"],
                "explanation": version["explanation"],
                "choices": choices,
            }
        )
    return result
