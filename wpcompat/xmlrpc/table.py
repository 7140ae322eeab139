"""The method table: name → function, in WordPress's registration order (wp_xmlrpc_server::__construct).

Method modules register with `@method("wp.getPost", min_args=4)`. A method function takes
(call, args) and returns the value to answer, or raises faults.Fault. `min_args` is
WordPress's minimum_args() guard: fewer params give 400 before anything else is looked at.
"""

import dataclasses

from wpcompat.audit import Operation

# Every name WordPress 6.1 registers, in its order (system.listMethods answers them reversed).
WORDPRESS_ORDER = (
    "wp.getUsersBlogs", "wp.newPost", "wp.editPost", "wp.deletePost", "wp.getPost", "wp.getPosts", "wp.newTerm",
    "wp.editTerm", "wp.deleteTerm", "wp.getTerm", "wp.getTerms", "wp.getTaxonomy", "wp.getTaxonomies",
    "wp.getUser", "wp.getUsers", "wp.getProfile", "wp.editProfile", "wp.getPage", "wp.getPages", "wp.newPage",
    "wp.deletePage", "wp.editPage", "wp.getPageList", "wp.getAuthors", "wp.getCategories", "wp.getTags",
    "wp.newCategory", "wp.deleteCategory", "wp.suggestCategories", "wp.uploadFile", "wp.deleteFile",
    "wp.getCommentCount", "wp.getPostStatusList", "wp.getPageStatusList", "wp.getPageTemplates", "wp.getOptions",
    "wp.setOptions", "wp.getComment", "wp.getComments", "wp.deleteComment", "wp.editComment", "wp.newComment",
    "wp.getCommentStatusList", "wp.getMediaItem", "wp.getMediaLibrary", "wp.getPostFormats", "wp.getPostType",
    "wp.getPostTypes", "wp.getRevisions", "wp.restoreRevision", "blogger.getUsersBlogs", "blogger.getUserInfo",
    "blogger.getPost", "blogger.getRecentPosts", "blogger.newPost", "blogger.editPost", "blogger.deletePost",
    "metaWeblog.newPost", "metaWeblog.editPost", "metaWeblog.getPost", "metaWeblog.getRecentPosts",
    "metaWeblog.getCategories", "metaWeblog.newMediaObject", "metaWeblog.deletePost", "metaWeblog.getUsersBlogs",
    "mt.getCategoryList", "mt.getRecentPostTitles", "mt.getPostCategories", "mt.setPostCategories",
    "mt.supportedMethods", "mt.supportedTextFilters", "mt.getTrackbackPings", "mt.publishPost", "pingback.ping",
    "pingback.extensions.getPingbacks", "demo.sayHello", "demo.addTwoNumbers", "system.getCapabilities",
    "system.listMethods", "system.multicall",
)
_POSITION = {name: index for index, name in enumerate(WORDPRESS_ORDER)}


@dataclasses.dataclass(frozen=True)
class Method:
    name: str
    function: object
    min_args: int = 0
    operation: str = str(Operation.READ)
    keep_answer: bool = False      # a pure read: its answer may be replayed to the same caller (response_cache)


METHODS = {}


def _operation(name):
    verb = name.split(".", 1)[-1]
    for prefix, operation in (("new", Operation.CREATE), ("upload", Operation.CREATE),
                              ("edit", Operation.UPDATE), ("set", Operation.UPDATE),
                              ("publish", Operation.UPDATE), ("restore", Operation.UPDATE),
                              ("delete", Operation.DELETE)):
        if verb.startswith(prefix):
            return str(operation)
    return str(Operation.READ)


def method(name, min_args=0, keep_answer=False):
    """Register the decorated function as XML-RPC method `name`.

    keep_answer: the method only reads posts, pages or terms, so its answer to a signed-in caller
    may be kept and replayed to the same credentials while the tenant's content is unchanged
    (wpcompat/response_cache.py); never for a method that writes or reads anything else."""
    def register(function):
        METHODS[name] = Method(name, function, min_args, _operation(name), keep_answer)
        return function
    return register


def alias(name, target):
    """WordPress's aliases (wp.getCategories → metaWeblog.getCategories, ...)."""
    original = METHODS[target]
    METHODS[name] = Method(name, original.function, original.min_args, original.operation, original.keep_answer)


def find(name):
    return METHODS.get(name)


def registered_names():
    """The registered names in WordPress's registration order."""
    return sorted(METHODS, key=lambda name: (_POSITION.get(name, len(_POSITION)), name))
