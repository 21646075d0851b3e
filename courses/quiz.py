"""Turn an editor's quiz StreamField into plain data: the groups an attempt draws from, and
the snapshot it is graded on."""


def _question(block_id: str, value, pool: str = "") -> dict:
    return {
        "id": block_id,
        "kind": value["kind"],
        "text": value["text"],
        "explanation": value["explanation"] or "",
        "pool": pool,
        "choices": [
            {
                "id": child.id,
                "text": child.value["text"],
                "correct": bool(child.value["correct"]),
                "feedback": child.value["feedback"] or "",
            }
            for child in value["choices"].bound_blocks
        ],
    }


def quiz_groups(stream) -> list[dict]:
    """The quiz as groups: a single question is a group that is always asked; a pool asks
    `draw` of its questions. Ids are block ids, stable across edits."""
    groups = []
    for block in stream:
        if block.block_type == "question":
            groups.append({"pool": "", "draw": 1, "questions": [_question(block.id, block.value)]})
        elif block.block_type == "pool":
            questions = [
                _question(child.id, child.value, pool=block.id)
                for child in block.value["questions"].bound_blocks
            ]
            draw = min(int(block.value["draw"] or 1), len(questions))
            groups.append(
                {
                    "pool": block.id,
                    "title": block.value["title"],
                    "draw": draw,
                    "questions": questions,
                }
            )
    return groups


def quiz_snapshot(stream) -> list[dict]:
    """Every question the quiz can ask, with choices and correct answers."""
    return [q for group in quiz_groups(stream) for q in group["questions"]]


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
