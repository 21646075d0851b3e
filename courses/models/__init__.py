from .pages import CatalogPage, CoursePage, ModulePage
from .scorm import ScormPackage
from .snippets import LearningPath, LearningPathCourse, Topic
from .stamp import ContentStamp

__all__ = [
    "CatalogPage",
    "ContentStamp",
    "CoursePage",
    "LearningPath",
    "LearningPathCourse",
    "ModulePage",
    "ScormPackage",
    "Topic",
]
