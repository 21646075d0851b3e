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
