//! Turning templates into responses, and errors into pages.

use super::session::Viewer;
use crate::error::ApiError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What the frame of every page shows: the sections, the one being viewed, who is
/// signed in, and the token the sign-out form sends back.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub(crate) section: &'static str,
    pub(crate) user: String,
    pub(crate) role: String,
    pub(crate) csrf: String,
}

/// The sections of the navigation: (path, label).
pub(crate) const SECTIONS: &[(&str, &str)] = &[
    ("/ui", "Overview"),
    ("/ui/partners", "Partners"),
    ("/ui/alliances", "Alliances"),
    ("/ui/intel", "Intelligence"),
    ("/ui/designations", "Designations"),
    ("/ui/ledger", "Ledger"),
];

impl Chrome {
    pub(crate) fn new(viewer: &Viewer, section: &'static str) -> Chrome {
        Chrome {
            section,
            user: viewer.principal.name.clone(),
            role: viewer.principal.role.as_str().to_owned(),
            csrf: viewer.csrf.clone(),
        }
    }

    pub(crate) fn sections(&self) -> &'static [(&'static str, &'static str)] {
        SECTIONS
    }
}

/// A rendered page, or the error page when the template fails.
pub(crate) fn page(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => error_page(&ApiError::internal(format!("template: {error}"))),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    description: &'a str,
    code: &'a str,
}

/// An error as a page: its status, what went wrong, what to do next.
pub(crate) fn error_page(error: &ApiError) -> Response {
    let template = ErrorPage {
        status: error.status.as_u16(),
        title: &error.title,
        description: error.description.as_deref().unwrap_or(""),
        code: error.code,
    };
    let html = template.render().unwrap_or_else(|_| "<!doctype html><title>error</title>error".to_owned());
    (error.status, Html(html)).into_response()
}

/// Errors of page handlers render as pages.
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// `status` with a page.
pub(crate) fn page_with(status: StatusCode, template: &impl Template) -> Response {
    let mut response = page(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}
