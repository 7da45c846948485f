"""Content blocks any page may use; lessons add their learning blocks on top (lessons.blocks)."""

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


def labelled(block, label):
    """Give ``block`` a translatable admin label without making it a constructor argument.

    Wagtail freezes a StreamField's block definitions, constructor arguments included, into the
    migrations of every model that uses them (``LessonPage.body`` uses these blocks too), so a
    ``label=`` argument would need a new migration in each of those apps. Set after construction,
    the label stays out of the migrations, like ``Meta.label`` on a StructBlock subclass.
    """
    block.meta.label = block.label = label
    return block


class HeadingValue(blocks.StructValue):
    def anchor_id(self):
        """The section's fragment id: the editor's choice, else the heading text slugified."""
        return self.get("anchor") or slugify(self.get("text", ""))


class HeadingBlock(blocks.StructBlock):
    """A section heading; its anchor id lets the tutor's citations open this section."""

    text = labelled(blocks.CharBlock(max_length=200), _("Text"))
    anchor = labelled(
        blocks.CharBlock(
            required=False,
            max_length=80,
            help_text=_("Optional fragment id; defaults to the heading text in lower case with hyphens."),
        ),
        _("Anchor"),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"
        value_class = HeadingValue


class ImageBlock(blocks.StructBlock):
    image = labelled(ImageChooserBlock(), _("Image"))
    alt_text = labelled(
        blocks.CharBlock(max_length=250, help_text=_("Describe the image for people who cannot see it (required).")),
        _("Alternative text"),
    )
    caption = labelled(blocks.CharBlock(required=False, max_length=250), _("Caption"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = labelled(EmbedBlock(help_text=_("A YouTube or Vimeo URL.")), _("Video"))
    caption = labelled(blocks.CharBlock(required=False, max_length=250), _("Caption"))
    transcript = labelled(
        blocks.TextBlock(required=False, help_text=_("A transcript makes the video accessible.")), _("Transcript")
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"


CALLOUT_KINDS = [("tip", _("Tip")), ("warning", _("Warning")), ("ethics", _("Ethics"))]


class CalloutValue(blocks.StructValue):
    def kind_label(self):
        """The kind in the reader's language ("Tip", "Warning", "Ethics")."""
        return dict(CALLOUT_KINDS).get(self.get("kind"), "")


class CalloutBlock(blocks.StructBlock):
    kind = labelled(blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="tip"), _("Kind"))
    title = labelled(blocks.CharBlock(required=False, max_length=120), _("Title"))
    text = labelled(blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"]), _("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "cms/blocks/callout.html"
        value_class = CalloutValue


RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul", "blockquote", "code"]

CONTENT_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", labelled(blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow"), _("Paragraph"))),
    ("image", ImageBlock()),
    ("video", VideoBlock()),
    ("callout", CalloutBlock()),
]
