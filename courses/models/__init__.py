from .pages import CatalogPage, CoursePage, ModulePage
from .snippets import LearningPath, LearningPathCourse, Topic

__all__ = [
    "CatalogPage",
    "CoursePage",
    "LearningPath",
    "LearningPathCourse",
    "ModulePage",
    "Topic",
]
