from .pages import CatalogPage, CoursePage, ModulePage
from .scorm import ScormPackage
from .snippets import LearningPath, LearningPathCourse, Topic

__all__ = [
    "CatalogPage",
    "CoursePage",
    "LearningPath",
    "LearningPathCourse",
    "ModulePage",
    "ScormPackage",
    "Topic",
]
